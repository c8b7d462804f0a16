/*
 * test-list.h (collector) — unit tests of the collector program (Linux only), one
 * TEST_ENTRY per line; CMake registers each with ctest.
 */
TEST_ENTRY(http_single_request)
TEST_ENTRY(http_pipelined_and_split)
TEST_ENTRY(http_chunked_body)
TEST_ENTRY(http_limits)
TEST_ENTRY(http_malformed)
TEST_ENTRY(config_defaults_and_file)
TEST_ENTRY(config_errors_name_the_key)
TEST_ENTRY(sync_config_doc)
TEST_ENTRY(store_ingest_dedup_paging)
TEST_ENTRY(store_retention_age_and_size)
TEST_ENTRY(store_silent_hosts_and_tokens)
TEST_ENTRY(storeq_full_refuses)
TEST_ENTRY(ca_csr_checks)
TEST_ENTRY(ca_crl_revokes)
TEST_ENTRY(store_issue_rules)
TEST_ENTRY(enroll_rate_limit)
