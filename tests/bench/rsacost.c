/*
 * rsacost.c — what one signature check with a hostile RSA key costs (benchmark, not a test):
 * mbedtls_rsa_public with an 8192-bit modulus and an 8184-bit public exponent, the work a
 * collector that verified such a CSR or CertificateVerify before looking at the key would do
 * for anyone; beside the same with exponent 65537 (an honest RSA-8192 key) and an ECDSA P-256
 * verification (the keys agents have). CPU time per operation.
 *
 * usage: wfpw-rsacost [ITERATIONS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/entropy.h>
#include <mbedtls/rsa.h>
#include <mbedtls/sha256.h>

static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           (double)ru.ru_stime.tv_usec / 1e6;
}

static double rsa_public_s(mbedtls_ctr_drbg_context *drbg, size_t ebits, int iters)
{
    mbedtls_rsa_context rsa;
    mbedtls_mpi N, E;
    unsigned char in[1024], out[1024];
    double t0;
    int i;
    mbedtls_rsa_init(&rsa, MBEDTLS_RSA_PKCS_V15, 0);
    mbedtls_mpi_init(&N);
    mbedtls_mpi_init(&E);
    mbedtls_mpi_fill_random(&N, 1024, mbedtls_ctr_drbg_random, drbg);
    mbedtls_mpi_set_bit(&N, 8191, 1);
    mbedtls_mpi_set_bit(&N, 0, 1);
    if (ebits) {
        mbedtls_mpi_fill_random(&E, ebits / 8, mbedtls_ctr_drbg_random, drbg);
        mbedtls_mpi_set_bit(&E, ebits - 1, 1);
        mbedtls_mpi_set_bit(&E, 0, 1);
    } else {
        mbedtls_mpi_lset(&E, 65537);
    }
    if (mbedtls_rsa_import(&rsa, &N, NULL, NULL, NULL, &E) != 0 || mbedtls_rsa_complete(&rsa) != 0)
        return -1;
    memset(in, 0x11, sizeof(in));
    in[0] = 0; /* below the modulus */
    t0 = cpu_s();
    for (i = 0; i < iters; i++)
        if (mbedtls_rsa_public(&rsa, in, out) != 0)
            return -1;
    t0 = (cpu_s() - t0) / iters;
    mbedtls_rsa_free(&rsa);
    mbedtls_mpi_free(&N);
    mbedtls_mpi_free(&E);
    return t0;
}

int main(int argc, char **argv)
{
    int iters = argc > 1 ? atoi(argv[1]) : 5, i;
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_ecdsa_context ec;
    unsigned char hash[32] = {1}, sig[MBEDTLS_ECDSA_MAX_LEN];
    size_t siglen;
    double t0, ecdsa;
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);
    mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy, (const unsigned char *)"rsacost", 7);
    mbedtls_ecdsa_init(&ec);
    mbedtls_ecdsa_genkey(&ec, MBEDTLS_ECP_DP_SECP256R1, mbedtls_ctr_drbg_random, &drbg);
    mbedtls_ecdsa_write_signature(&ec, MBEDTLS_MD_SHA256, hash, 32, sig, &siglen, mbedtls_ctr_drbg_random, &drbg);
    t0 = cpu_s();
    for (i = 0; i < iters * 20; i++)
        mbedtls_ecdsa_read_signature(&ec, hash, 32, sig, siglen);
    ecdsa = (cpu_s() - t0) / (iters * 20);
    printf("# mbedTLS public-key operations, CPU time each (%d iterations)\n", iters);
    printf("%-44s %10.3f ms\n", "RSA-8192, exponent of 8184 bits", rsa_public_s(&drbg, 8184, iters) * 1e3);
    printf("%-44s %10.3f ms\n", "RSA-8192, exponent 65537", rsa_public_s(&drbg, 0, iters * 20) * 1e3);
    printf("%-44s %10.3f ms\n", "ECDSA P-256 verification", ecdsa * 1e3);
    mbedtls_ecdsa_free(&ec);
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&entropy);
    return 0;
}
