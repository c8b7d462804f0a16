/*
 * fwpnames.c — GUID and enumeration names of the WFP engine (see fwpnames.h). The GUID
 * tables hold the SDK's layer and condition-field identifiers as text, looked up by
 * formatting the GUID once; an inventory's few thousand conditions cost microseconds.
 */
#include <stdio.h>
#include <string.h>

#include "fwpnames.h"
#include "wfpw/errors.h"

struct named_guid {
    const char *name;
    const char *guid;   /* lower-case, without braces */
};

static const struct named_guid layers[] = {
    {"INBOUND_IPPACKET_V4", "c86fd1bf-21cd-497e-a0bb-17425c885c58"},
    {"INBOUND_IPPACKET_V4_DISCARD", "b5a230d0-a8c0-44f2-916e-991b53ded1f7"},
    {"INBOUND_IPPACKET_V6", "f52032cb-991c-46e7-971d-2601459a91ca"},
    {"INBOUND_IPPACKET_V6_DISCARD", "bb24c279-93b4-47a2-83ad-ae1698b50885"},
    {"OUTBOUND_IPPACKET_V4", "1e5c9fae-8a84-4135-a331-950b54229ecd"},
    {"OUTBOUND_IPPACKET_V4_DISCARD", "08e4bcb5-b647-48f3-953c-e5ddbd03937e"},
    {"OUTBOUND_IPPACKET_V6", "a3b3ab6b-3564-488c-9117-f34e82142763"},
    {"OUTBOUND_IPPACKET_V6_DISCARD", "9513d7c4-a934-49dc-91a7-6ccb80cc02e3"},
    {"IPFORWARD_V4", "a82acc24-4ee1-4ee1-b465-fd1d25cb10a4"},
    {"IPFORWARD_V4_DISCARD", "9e9ea773-2fae-4210-8f17-34129ef369eb"},
    {"IPFORWARD_V6", "7b964818-19c7-493a-b71f-832c3684d28c"},
    {"IPFORWARD_V6_DISCARD", "31524a5d-1dfe-472f-bb93-518ee945d8a2"},
    {"INBOUND_TRANSPORT_V4", "5926dfc8-e3cf-4426-a283-dc393f5d0f9d"},
    {"INBOUND_TRANSPORT_V4_DISCARD", "ac4a9833-f69d-4648-b261-6dc84835ef39"},
    {"INBOUND_TRANSPORT_V6", "634a869f-fc23-4b90-b0c1-bf620a36ae6f"},
    {"INBOUND_TRANSPORT_V6_DISCARD", "2a6ff955-3b2b-49d2-9848-ad9d72dcaab7"},
    {"OUTBOUND_TRANSPORT_V4", "09e61aea-d214-46e2-9b21-b26b0b2f28c8"},
    {"OUTBOUND_TRANSPORT_V4_DISCARD", "c5f10551-bdb0-43d7-a313-50e211f4d68a"},
    {"OUTBOUND_TRANSPORT_V6", "e1735bde-013f-4655-b351-a49e15762df0"},
    {"OUTBOUND_TRANSPORT_V6_DISCARD", "f433df69-ccbd-482e-b9b2-57165658c3b3"},
    {"STREAM_V4", "3b89653c-c170-49e4-b1cd-e0eeeee19a3e"},
    {"STREAM_V4_DISCARD", "25c4c2c2-25ff-4352-82f9-c54a4a4726dc"},
    {"STREAM_V6", "47c9137a-7ec4-46b3-b6e4-48e926b1eda4"},
    {"STREAM_V6_DISCARD", "10a59fc7-b628-4c41-9eb8-cf37d55103cf"},
    {"DATAGRAM_DATA_V4", "3d08bf4e-45f6-4930-a922-417098e20027"},
    {"DATAGRAM_DATA_V4_DISCARD", "18e330c6-7248-4e52-aaab-472ed67704fd"},
    {"DATAGRAM_DATA_V6", "fa45fe2f-3cba-4427-87fc-57b9a4b10d00"},
    {"DATAGRAM_DATA_V6_DISCARD", "09d1dfe1-9b86-4a42-be9d-8c315b92a5d0"},
    {"INBOUND_ICMP_ERROR_V4", "61499990-3cb6-4e84-b950-53b94b6964f3"},
    {"INBOUND_ICMP_ERROR_V4_DISCARD", "a6b17075-ebaf-4053-a4e7-213c8121ede5"},
    {"INBOUND_ICMP_ERROR_V6", "65f9bdff-3b2d-4e5d-b8c6-c720651fe898"},
    {"INBOUND_ICMP_ERROR_V6_DISCARD", "a6e7ccc0-08fb-468d-a472-9771d5595e09"},
    {"OUTBOUND_ICMP_ERROR_V4", "41390100-564c-4b32-bc1d-718048354d7c"},
    {"OUTBOUND_ICMP_ERROR_V4_DISCARD", "b3598d36-0561-4588-a6bf-e955e3f6264b"},
    {"OUTBOUND_ICMP_ERROR_V6", "7fb03b60-7b8d-4dfa-badd-980176fc4e12"},
    {"OUTBOUND_ICMP_ERROR_V6_DISCARD", "65f2e647-8d0c-4f47-b19b-33a4d3f1357c"},
    {"ALE_RESOURCE_ASSIGNMENT_V4", "1247d66d-0b60-4a15-8d44-7155d0f53a0c"},
    {"ALE_RESOURCE_ASSIGNMENT_V4_DISCARD", "0b5812a2-c3ff-4eca-b88d-c79e20ac6322"},
    {"ALE_RESOURCE_ASSIGNMENT_V6", "55a650e1-5f0a-4eca-a653-88f53b26aa8c"},
    {"ALE_RESOURCE_ASSIGNMENT_V6_DISCARD", "cbc998bb-c51f-4c1a-bb4f-9775fcacab2f"},
    {"ALE_AUTH_LISTEN_V4", "88bb5dad-76d7-4227-9c71-df0a3ed7be7e"},
    {"ALE_AUTH_LISTEN_V4_DISCARD", "371dfada-9f26-45fd-b4eb-c29eb212893f"},
    {"ALE_AUTH_LISTEN_V6", "7ac9de24-17dd-4814-b4bd-a9fbc95a321b"},
    {"ALE_AUTH_LISTEN_V6_DISCARD", "60703b07-63c8-48e9-ada3-12b1af40a617"},
    {"ALE_AUTH_RECV_ACCEPT_V4", "e1cd9fe7-f4b5-4273-96c0-592e487b8650"},
    {"ALE_AUTH_RECV_ACCEPT_V4_DISCARD", "9eeaa99b-bd22-4227-919f-0073c63357b1"},
    {"ALE_AUTH_RECV_ACCEPT_V6", "a3b42c97-9f04-4672-b87e-cee9c483257f"},
    {"ALE_AUTH_RECV_ACCEPT_V6_DISCARD", "89455b97-dbe1-453f-a224-13da895af396"},
    {"ALE_AUTH_CONNECT_V4", "c38d57d1-05a7-4c33-904f-7fbceee60e82"},
    {"ALE_AUTH_CONNECT_V4_DISCARD", "d632a801-f5ba-4ad6-96e3-607017d9836a"},
    {"ALE_AUTH_CONNECT_V6", "4a72393b-319f-44bc-84c3-ba54dcb3b6b4"},
    {"ALE_AUTH_CONNECT_V6_DISCARD", "c97bc3b8-c9a3-4e33-8695-8e17aad4de09"},
    {"ALE_FLOW_ESTABLISHED_V4", "af80470a-5596-4c13-9992-539e6fe57967"},
    {"ALE_FLOW_ESTABLISHED_V4_DISCARD", "146ae4a9-a1d2-4d43-a31a-4c42682b8e4f"},
    {"ALE_FLOW_ESTABLISHED_V6", "7021d2b3-dfa4-406e-afeb-6afaf7e70efd"},
    {"ALE_FLOW_ESTABLISHED_V6_DISCARD", "46928636-bbca-4b76-941d-0fa7f5d7d372"},
    {"INBOUND_MAC_FRAME_ETHERNET", "effb7edb-0055-4f9a-a231-4ff8131ad191"},
    {"OUTBOUND_MAC_FRAME_ETHERNET", "694673bc-d6db-4870-adee-0acdbdb7f4b2"},
    {"INBOUND_MAC_FRAME_NATIVE", "d4220bd3-62ce-4f08-ae88-b56e8526df50"},
    {"OUTBOUND_MAC_FRAME_NATIVE", "94c44912-9d6f-4ebf-b995-05ab8a088d1b"},
    {"INGRESS_VSWITCH_ETHERNET", "7d98577a-9a87-41ec-9718-7cf589c9f32d"},
    {"EGRESS_VSWITCH_ETHERNET", "86c872b0-76fa-4b79-93a4-0750530ae292"},
    {"INGRESS_VSWITCH_TRANSPORT_V4", "b2696ff6-774f-4554-9f7d-3da3945f8e85"},
    {"INGRESS_VSWITCH_TRANSPORT_V6", "5ee314fc-7d8a-47f4-b7e3-291a36da4e12"},
    {"EGRESS_VSWITCH_TRANSPORT_V4", "b92350b6-91f0-46b6-bdc4-871dfd4a7c98"},
    {"EGRESS_VSWITCH_TRANSPORT_V6", "1b2def23-1881-40bd-82f4-4254e63141cb"},
    {"INBOUND_TRANSPORT_FAST", "e41d2719-05c7-40f0-8983-ea8d17bbc2f6"},
    {"OUTBOUND_TRANSPORT_FAST", "13ed4388-a070-4815-9935-7a9be6408b78"},
    {"INBOUND_MAC_FRAME_NATIVE_FAST", "853aaa8e-2b78-4d24-a804-36db08b29711"},
    {"OUTBOUND_MAC_FRAME_NATIVE_FAST", "470df946-c962-486f-9446-8293cbc75eb8"},
    {"IPSEC_KM_DEMUX_V4", "f02b1526-a459-4a51-b9e3-759de52b9d2c"},
    {"IPSEC_KM_DEMUX_V6", "2f755cf6-2fd4-4e88-b3e4-a91bca495235"},
    {"IPSEC_V4", "eda65c74-610d-4bc5-948f-3c4f89556867"},
    {"IPSEC_V6", "13c48442-8d87-4261-9a29-59d2abc348b4"},
    {"IKEEXT_V4", "b14b7bdb-dbbd-473e-bed4-8b4708d4f270"},
    {"IKEEXT_V6", "b64786b3-f687-4eb9-89d2-8ef32acdabe2"},
    {"RPC_UM", "75a89dda-95e4-40f3-adc7-7688a9c847e1"},
    {"RPC_EPMAP", "9247bc61-eb07-47ee-872c-bfd78bfd1616"},
    {"RPC_EP_ADD", "618dffc7-c450-4943-95db-99b4c16a55d4"},
    {"RPC_PROXY_CONN", "94a4b50b-ba5c-4f27-907a-229fac0c2a7a"},
    {"RPC_PROXY_IF", "f8a38615-e12c-41ac-98df-121ad981aade"},
    {"KM_AUTHORIZATION", "4aa226e9-9020-45fb-956a-c0249d841195"},
    {"NAME_RESOLUTION_CACHE_V4", "0c2aa681-905b-4ccd-a467-4dd811d07b7b"},
    {"NAME_RESOLUTION_CACHE_V6", "92d592fa-6b01-434a-9dea-d1e96ea97da9"},
    {"ALE_RESOURCE_RELEASE_V4", "74365cce-ccb0-401a-bfc1-b89934ad7e15"},
    {"ALE_RESOURCE_RELEASE_V6", "f4e5ce80-edcc-4e13-8a2f-b91454bb057b"},
    {"ALE_ENDPOINT_CLOSURE_V4", "b4766427-e2a2-467a-bd7e-dbcd1bd85a09"},
    {"ALE_ENDPOINT_CLOSURE_V6", "bb536ccd-4755-4ba9-9ff7-f9edf8699c7b"},
    {"ALE_CONNECT_REDIRECT_V4", "c6e63c8c-b784-4562-aa7d-0a67cfcaf9a3"},
    {"ALE_CONNECT_REDIRECT_V6", "587e54a7-8046-42ba-a0aa-b716250fc7fd"},
    {"ALE_BIND_REDIRECT_V4", "66978cad-c704-42ac-86ac-7c1a231bd253"},
    {"ALE_BIND_REDIRECT_V6", "bef02c9c-606b-4536-8c26-1c2fc7b631d4"},
    {"STREAM_PACKET_V4", "af52d8ec-cb2d-44e5-ad92-f8dc38d2eb29"},
    {"STREAM_PACKET_V6", "779a8ca3-f099-468f-b5d4-83535c461c02"},
    {"INBOUND_RESERVED2", "f4fb8d55-c076-46d8-a2c7-6a4c722ca4ed"},
};

static const struct named_guid fields[] = {
    {"INTERFACE_MAC_ADDRESS", "f6e63dce-1f4b-4c6b-b6ef-1165e71f8ee7"},
    {"MAC_LOCAL_ADDRESS", "d999e981-7948-4c83-b742-c84e3b678f8f"},
    {"MAC_REMOTE_ADDRESS", "408f2ed4-3a70-4b4d-92a6-415ac20e2f12"},
    {"ETHER_TYPE", "fd08948d-a219-4d52-bb98-1a5540ee7b4e"},
    {"VLAN_ID", "938eab21-3618-4e64-9ca5-2141ebda1ca2"},
    {"VSWITCH_TENANT_NETWORK_ID", "dc04843c-79e6-4e44-a025-65b9bb0f9f94"},
    {"NDIS_PORT", "db7bb42b-2dac-4cd4-a59a-e0bdce1e6834"},
    {"NDIS_MEDIA_TYPE", "cb31cef1-791d-473b-89d1-61c5984304a0"},
    {"NDIS_PHYSICAL_MEDIA_TYPE", "34c79823-c229-44f2-b83c-74020882ae77"},
    {"L2_FLAGS", "7bc43cbf-37ba-45f1-b74a-82ff518eeb10"},
    {"MAC_LOCAL_ADDRESS_TYPE", "cc31355c-3073-4ffb-a14f-79415cb1ead1"},
    {"MAC_REMOTE_ADDRESS_TYPE", "027fedb4-f1c1-4030-b564-ee777fd867ea"},
    {"ALE_PACKAGE_ID", "71bc78fa-f17c-4997-a602-6abb261f351c"},
    {"MAC_SOURCE_ADDRESS", "7b795451-f1f6-4d05-b7cb-21779d802336"},
    {"MAC_DESTINATION_ADDRESS", "04ea2a93-858c-4027-b613-b43180c7859e"},
    {"MAC_SOURCE_ADDRESS_TYPE", "5c1b72e4-299e-4437-a298-bc3f014b3dc2"},
    {"MAC_DESTINATION_ADDRESS_TYPE", "ae052932-ef42-4e99-b129-f3b3139e34f7"},
    {"IP_SOURCE_PORT", "a6afef91-3df4-4730-a214-f5426aebf821"},
    {"IP_DESTINATION_PORT", "ce6def45-60fb-4a7b-a304-af30a117000e"},
    {"VSWITCH_ID", "c4a414ba-437b-4de6-9946-d99c1b95b312"},
    {"VSWITCH_NETWORK_TYPE", "11d48b4b-e77a-40b4-9155-392c906c2608"},
    {"VSWITCH_SOURCE_INTERFACE_ID", "7f4ef24b-b2c1-4938-ba33-a1ecbed512ba"},
    {"VSWITCH_DESTINATION_INTERFACE_ID", "8ed48be4-c926-49f6-a4f6-ef3030e3fc16"},
    {"VSWITCH_SOURCE_VM_ID", "9c2a9ec2-9fc6-42bc-bdd8-406d4da0be64"},
    {"VSWITCH_DESTINATION_VM_ID", "6106aace-4de1-4c84-9671-3637f8bcf731"},
    {"VSWITCH_SOURCE_INTERFACE_TYPE", "e6b040a2-edaf-4c36-908b-f2f58ae43807"},
    {"VSWITCH_DESTINATION_INTERFACE_TYPE", "fa9b3f06-2f1a-4c57-9e68-a7098b28dbfe"},
    {"ALE_SECURITY_ATTRIBUTE_FQBN_VALUE", "37a57699-5883-4963-92b8-3e704688b0ad"},
    {"IPSEC_SECURITY_REALM_ID", "37a57700-5884-4964-92b8-3e704688b0ad"},
    {"ALE_EFFECTIVE_NAME", "b1277b9a-b781-40fc-9671-e5f1b989f34e"},
    {"IP_LOCAL_ADDRESS", "d9ee00de-c1ef-4617-bfe3-ffd8f5a08957"},
    {"IP_REMOTE_ADDRESS", "b235ae9a-1d64-49b8-a44c-5ff3d9095045"},
    {"IP_SOURCE_ADDRESS", "ae96897e-2e94-4bc9-b313-b27ee80e574d"},
    {"IP_DESTINATION_ADDRESS", "2d79133b-b390-45c6-8699-acaceaafed33"},
    {"IP_LOCAL_ADDRESS_TYPE", "6ec7f6c4-376b-45d7-9e9c-d337cedcd237"},
    {"IP_DESTINATION_ADDRESS_TYPE", "1ec1b7c9-4eea-4f5e-b9ef-76beaaaf17ee"},
    {"BITMAP_IP_LOCAL_ADDRESS", "16ebc3df-957a-452e-a1fc-3d2ff6a730ba"},
    {"BITMAP_IP_LOCAL_PORT", "9f90a920-c3b5-4569-ba31-8bd3910dc656"},
    {"BITMAP_IP_REMOTE_ADDRESS", "33f00e25-8eec-4531-a005-41b911f62452"},
    {"BITMAP_IP_REMOTE_PORT", "2663d549-aaf2-46a2-8666-1e7667f86985"},
    {"IP_NEXTHOP_ADDRESS", "eabe448a-a711-4d64-85b7-3f76b65299c7"},
    {"BITMAP_INDEX_KEY", "0f36514c-3226-4a81-a214-2d518b04d08a"},
    {"IP_LOCAL_INTERFACE", "4cd62a49-59c3-4969-b7f3-bda5d32890a4"},
    {"IP_ARRIVAL_INTERFACE", "618a9b6d-386b-4136-ad6e-b51587cfb1cd"},
    {"ARRIVAL_INTERFACE_TYPE", "89f990de-e798-4e6d-ab76-7c9558292e6f"},
    {"ARRIVAL_TUNNEL_TYPE", "511166dc-7a8c-4aa7-b533-95ab59fb0340"},
    {"ARRIVAL_INTERFACE_INDEX", "cc088db3-1792-4a71-b0f9-037d21cd828b"},
    {"NEXTHOP_SUB_INTERFACE_INDEX", "ef8a6122-0577-45a7-9aaf-825fbeb4fb95"},
    {"IP_NEXTHOP_INTERFACE", "93ae8f5b-7f6f-4719-98c8-14e97429ef04"},
    {"NEXTHOP_INTERFACE_TYPE", "97537c6c-d9a3-4767-a381-e942675cd920"},
    {"NEXTHOP_TUNNEL_TYPE", "72b1a111-987b-4720-99dd-c7c576fa2d4c"},
    {"NEXTHOP_INTERFACE_INDEX", "138e6888-7ab8-4d65-9ee8-0591bcf6a494"},
    {"ORIGINAL_PROFILE_ID", "46ea1551-2255-492b-8019-aabeee349f40"},
    {"CURRENT_PROFILE_ID", "ab3033c9-c0e3-4759-937d-5758c65d4ae3"},
    {"LOCAL_INTERFACE_PROFILE_ID", "4ebf7562-9f18-4d06-9941-a7a625744d71"},
    {"ARRIVAL_INTERFACE_PROFILE_ID", "cdfe6aab-c083-4142-8679-c08f95329c61"},
    {"NEXTHOP_INTERFACE_PROFILE_ID", "d7ff9a56-cdaa-472b-84db-d23963c1d1bf"},
    {"REAUTHORIZE_REASON", "11205e8c-11ae-457a-8a44-477026dd764a"},
    {"ORIGINAL_ICMP_TYPE", "076dfdbe-c56c-4f72-ae8a-2cfe7e5c8286"},
    {"IP_PHYSICAL_ARRIVAL_INTERFACE", "da50d5c8-fa0d-4c89-b032-6e62136d1e96"},
    {"IP_PHYSICAL_NEXTHOP_INTERFACE", "f09bd5ce-5150-48be-b098-c25152fb1f92"},
    {"INTERFACE_QUARANTINE_EPOCH", "cce68d5e-053b-43a8-9a6f-33384c28e4f6"},
    {"INTERFACE_TYPE", "daf8cd14-e09e-4c93-a5ae-c5c13b73ffca"},
    {"TUNNEL_TYPE", "77a40437-8779-4868-a261-f5a902f1c0cd"},
    {"IP_FORWARD_INTERFACE", "1076b8a5-6323-4c5e-9810-e8d3fc9e6136"},
    {"IP_PROTOCOL", "3971ef2b-623e-4f9a-8cb1-6e79b806b9a7"},
    {"IP_LOCAL_PORT", "0c1ba1af-5765-453f-af22-a8f791ac775b"},
    {"IP_REMOTE_PORT", "c35a604d-d22b-4e1a-91b4-68f674ee674b"},
    {"EMBEDDED_LOCAL_ADDRESS_TYPE", "4672a468-8a0a-4202-abb4-849e92e66809"},
    {"EMBEDDED_REMOTE_ADDRESS", "77ee4b39-3273-4671-b63b-ab6feb66eeb6"},
    {"EMBEDDED_PROTOCOL", "07784107-a29e-4c7b-9ec7-29c44afafdbc"},
    {"EMBEDDED_LOCAL_PORT", "bfca394d-acdb-484e-b8e6-2aff79757345"},
    {"EMBEDDED_REMOTE_PORT", "cae4d6a1-2968-40ed-a4ce-547160dda88d"},
    {"FLAGS", "632ce23b-5167-435c-86d7-e903684aa80c"},
    {"DIRECTION", "8784c146-ca97-44d6-9fd1-19fb1840cbf7"},
    {"INTERFACE_INDEX", "667fd755-d695-434a-8af5-d3835a1259bc"},
    {"SUB_INTERFACE_INDEX", "0cd42473-d621-4be3-ae8c-72a348d283e1"},
    {"SOURCE_INTERFACE_INDEX", "2311334d-c92d-45bf-9496-edf447820e2d"},
    {"SOURCE_SUB_INTERFACE_INDEX", "055edd9d-acd2-4361-8dab-f9525d97662f"},
    {"DESTINATION_INTERFACE_INDEX", "35cf6522-4139-45ee-a0d5-67b80949d879"},
    {"DESTINATION_SUB_INTERFACE_INDEX", "2b7d4399-d4c7-4738-a2f5-e994b43da388"},
    {"ALE_APP_ID", "d78e1e87-8644-4ea5-9437-d809ecefc971"},
    {"ALE_ORIGINAL_APP_ID", "0e6cd086-e1fb-4212-842f-8a9f993fb3f6"},
    {"ALE_USER_ID", "af043a0a-b34d-4f86-979c-c90371af6e66"},
    {"ALE_REMOTE_USER_ID", "f63073b7-0189-4ab0-95a4-6123cbfab862"},
    {"ALE_REMOTE_MACHINE_ID", "1aa47f51-7f93-4508-a271-81abb00c9cab"},
    {"ALE_PROMISCUOUS_MODE", "1c974776-7182-46e9-afd3-b02910e30334"},
    {"ALE_SIO_FIREWALL_SYSTEM_PORT", "b9f4e088-cb98-4efb-a2c7-ad07332643db"},
    {"ALE_REAUTH_REASON", "b482d227-1979-4a98-8044-18bbe6237542"},
    {"ALE_NAP_CONTEXT", "46275a9d-c03f-4d77-b784-1c57f4d02753"},
    {"KM_AUTH_NAP_CONTEXT", "35d0ea0e-15ca-492b-900e-97fd46352cce"},
    {"REMOTE_USER_TOKEN", "9bf0ee66-06c9-41b9-84da-288cb43af51f"},
    {"RPC_IF_UUID", "7c9c7d9f-0075-4d35-a0d1-8311c4cf6af1"},
    {"RPC_IF_VERSION", "eabfd9b7-1262-4a2e-adaa-5f96f6fe326d"},
    {"RPC_IF_FLAG", "238a8a32-3199-467d-871c-272621ab3896"},
    {"DCOM_APP_ID", "ff2e7b4d-3112-4770-b636-4d24ae3a6af2"},
    {"IMAGE_NAME", "d024de4d-deaa-4317-9c85-e40ef6e140c3"},
    {"RPC_PROTOCOL", "2717bc74-3a35-4ce7-b7ef-c838fabdec45"},
    {"RPC_AUTH_TYPE", "daba74ab-0d67-43e7-986e-75b84f82f594"},
    {"RPC_AUTH_LEVEL", "e5a0aed5-59ac-46ea-be05-a5f05ecf446e"},
    {"SEC_ENCRYPT_ALGORITHM", "0d306ef0-e974-4f74-b5c7-591b0da7d562"},
    {"SEC_KEY_SIZE", "4772183b-ccf8-4aeb-bce1-c6c6161c8fe4"},
    {"IP_LOCAL_ADDRESS_V4", "03a629cb-6e52-49f8-9c41-5709633c09cf"},
    {"IP_LOCAL_ADDRESS_V6", "2381be84-7524-45b3-a05b-1e637d9c7a6a"},
    {"PIPE", "1bd0741d-e3df-4e24-8634-762046eef6eb"},
    {"IP_REMOTE_ADDRESS_V4", "1febb610-3bcc-45e1-bc36-2e067e2cb186"},
    {"IP_REMOTE_ADDRESS_V6", "246e1d8c-8bee-4018-9b98-31d4582f3361"},
    {"PROCESS_WITH_RPC_IF_UUID", "e31180a8-bbbd-4d14-a65e-7157b06233bb"},
    {"RPC_EP_VALUE", "dccea0b9-0886-4360-9c6a-ab043a24fba9"},
    {"RPC_EP_FLAGS", "218b814a-0a39-49b8-8e71-c20c39c7dd2e"},
    {"CLIENT_TOKEN", "c228fc1e-403a-4478-be05-c9baa4c05ace"},
    {"RPC_SERVER_NAME", "b605a225-c3b3-48c7-9833-7aefa9527546"},
    {"RPC_SERVER_PORT", "8090f645-9ad5-4e3b-9f9f-8023ca097909"},
    {"RPC_PROXY_AUTH_TYPE", "40953fe2-8565-4759-8488-1771b4b4b5db"},
    {"CLIENT_CERT_KEY_LENGTH", "a3ec00c7-05f4-4df7-91f2-5f60d91ff443"},
    {"CLIENT_CERT_OID", "c491ad5e-f882-4283-b916-436b103ff4ad"},
    {"NET_EVENT_TYPE", "206e9996-490e-40cf-b831-b38641eb6fcb"},
    {"REMOTE_ID", "f68166fd-0682-4c89-b8f5-86436c7ef9b7"},
    {"AUTHENTICATION_TYPE", "eb458cd5-da7b-4ef9-8d43-7b0a840332f2"},
    {"KM_TYPE", "ff0f5f49-0ceb-481b-8638-1479791f3f2c"},
    {"KM_MODE", "feef4582-ef8f-4f7b-858b-9077d122de47"},
    {"IPSEC_POLICY_KEY", "ad37dee3-722f-45cc-a4e3-068048124452"},
    {"QM_MODE", "f64fc6d1-f9cb-43d2-8a5f-e13bc894f265"},
    {"COMPARTMENT_ID", "35a791ab-04ac-4ff2-a6bb-da6cfac71806"},
};

/* Callouts and provider contexts Windows registers itself: netsh prints them by full symbol. */
static const struct named_guid objects[] = {
    {"FWPM_CALLOUT_IPSEC_INBOUND_TRANSPORT_V4", "5132900d-5e84-4b5f-80e4-01741e81ff10"},
    {"FWPM_CALLOUT_IPSEC_INBOUND_TRANSPORT_V6", "49d3ac92-2a6c-4dcf-955f-1c3be009dd99"},
    {"FWPM_CALLOUT_IPSEC_OUTBOUND_TRANSPORT_V4", "4b46bf0a-4523-4e57-aa38-a87987c910d9"},
    {"FWPM_CALLOUT_IPSEC_OUTBOUND_TRANSPORT_V6", "38d87722-ad83-4f11-a91f-df0fb077225b"},
    {"FWPM_CALLOUT_IPSEC_INBOUND_TUNNEL_V4", "191a8a46-0bf8-46cf-b045-4b45dfa6a324"},
    {"FWPM_CALLOUT_IPSEC_INBOUND_TUNNEL_V6", "80c342e3-1e53-4d6f-9b44-03df5aeee154"},
    {"FWPM_CALLOUT_IPSEC_OUTBOUND_TUNNEL_V4", "70a4196c-835b-4fb0-98e8-075f4d977d46"},
    {"FWPM_CALLOUT_IPSEC_OUTBOUND_TUNNEL_V6", "f1835363-a6a5-4e62-b180-23db789d8da6"},
    {"FWPM_CALLOUT_IPSEC_FORWARD_INBOUND_TUNNEL_V4", "28829633-c4f0-4e66-873f-844db2a899c7"},
    {"FWPM_CALLOUT_IPSEC_FORWARD_INBOUND_TUNNEL_V6", "af50bec2-c686-429a-884d-b74443e7b0b4"},
    {"FWPM_CALLOUT_IPSEC_FORWARD_OUTBOUND_TUNNEL_V4", "fb532136-15cb-440b-937c-1717ca320c40"},
    {"FWPM_CALLOUT_IPSEC_FORWARD_OUTBOUND_TUNNEL_V6", "dae640cc-e021-4bee-9eb6-a48b275c8c1d"},
    {"FWPM_CALLOUT_IPSEC_INBOUND_INITIATE_SECURE_V4", "7dff309b-ba7d-4aba-91aa-ae5c6640c944"},
    {"FWPM_CALLOUT_IPSEC_INBOUND_INITIATE_SECURE_V6", "a9a0d6d9-c58c-474e-8aeb-3cfe99d6d53d"},
    {"FWPM_CALLOUT_IPSEC_INBOUND_TUNNEL_ALE_ACCEPT_V4", "3df6e7de-fd20-48f2-9f26-f854444cba79"},
    {"FWPM_CALLOUT_IPSEC_INBOUND_TUNNEL_ALE_ACCEPT_V6", "a1e392d3-72ac-47bb-87a7-0122c69434ab"},
    {"FWPM_CALLOUT_IPSEC_ALE_CONNECT_V4", "6ac141fc-f75d-4203-b9c8-48e6149c2712"},
    {"FWPM_CALLOUT_IPSEC_ALE_CONNECT_V6", "4c0dda05-e31f-4666-90b0-b3dfad34129a"},
    {"FWPM_CALLOUT_IPSEC_DOSP_FORWARD_V6", "6d08a342-db9e-4fbe-9ed2-57374ce89f79"},
    {"FWPM_CALLOUT_IPSEC_DOSP_FORWARD_V4", "2fcb56ec-cd37-4b4f-b108-62c2b1850a0c"},
    {"FWPM_CALLOUT_WFP_TRANSPORT_LAYER_V4_SILENT_DROP", "eda08606-2494-4d78-89bc-67837c03b969"},
    {"FWPM_CALLOUT_WFP_TRANSPORT_LAYER_V6_SILENT_DROP", "8693cc74-a075-4156-b476-9286eece814e"},
    {"FWPM_CALLOUT_TCP_CHIMNEY_CONNECT_LAYER_V4", "f3e10ab3-2c25-4279-ac36-c30fc181bec4"},
    {"FWPM_CALLOUT_TCP_CHIMNEY_CONNECT_LAYER_V6", "39e22085-a341-42fc-a279-aec94e689c56"},
    {"FWPM_CALLOUT_TCP_CHIMNEY_ACCEPT_LAYER_V4", "e183ecb2-3a7f-4b54-8ad9-76050ed880ca"},
    {"FWPM_CALLOUT_TCP_CHIMNEY_ACCEPT_LAYER_V6", "0378cf41-bf98-4603-81f2-7f12586079f6"},
    {"FWPM_CALLOUT_SET_OPTIONS_AUTH_CONNECT_LAYER_V4", "bc582280-1677-41e9-94ab-c2fcb15c2eeb"},
    {"FWPM_CALLOUT_SET_OPTIONS_AUTH_CONNECT_LAYER_V6", "98e5373c-b884-490f-b65f-2f6a4a575195"},
    {"FWPM_CALLOUT_SET_OPTIONS_AUTH_RECV_ACCEPT_LAYER_V4", "2d55f008-0c01-4f92-b26e-a08a94569b8d"},
    {"FWPM_CALLOUT_SET_OPTIONS_AUTH_RECV_ACCEPT_LAYER_V6", "63018537-f281-4dc4-83d3-8dec18b7ade2"},
    {"FWPM_CALLOUT_RESERVED_AUTH_CONNECT_LAYER_V4", "288b524d-0566-4e19-b612-8f441a2e5949"},
    {"FWPM_CALLOUT_RESERVED_AUTH_CONNECT_LAYER_V6", "00b84b92-2b5e-4b71-ab0e-aaca43e387e6"},
    {"FWPM_CALLOUT_TEREDO_ALE_RESOURCE_ASSIGNMENT_V6", "31b95392-066e-42a2-b7db-92f8acdd56f9"},
    {"FWPM_CALLOUT_EDGE_TRAVERSAL_ALE_RESOURCE_ASSIGNMENT_V4", "079b1010-f1c5-4fcd-ae05-da41107abd0b"},
    {"FWPM_CALLOUT_TEREDO_ALE_LISTEN_V6", "81a434e7-f60c-4378-bab8-c625a30f0197"},
    {"FWPM_CALLOUT_EDGE_TRAVERSAL_ALE_LISTEN_V4", "33486ab5-6d5e-4e65-a00b-a7afed0ba9a1"},
    {"FWPM_CALLOUT_TCP_TEMPLATES_CONNECT_LAYER_V4", "215a0b39-4b7e-4eda-8ce4-179679df6224"},
    {"FWPM_CALLOUT_TCP_TEMPLATES_CONNECT_LAYER_V6", "838b37a1-5c12-4d34-8b38-078728b2d25c"},
    {"FWPM_CALLOUT_TCP_TEMPLATES_ACCEPT_LAYER_V4", "2f23f5d0-40c4-4c41-a254-46d8dba8957c"},
    {"FWPM_CALLOUT_TCP_TEMPLATES_ACCEPT_LAYER_V6", "b25152f0-991c-4f53-bbe7-d24b45fe632c"},
    {"FWPM_CALLOUT_POLICY_SILENT_MODE_AUTH_CONNECT_LAYER_V4", "5fbfc31d-a51c-44dc-acb6-0624a030a700"},
    {"FWPM_CALLOUT_POLICY_SILENT_MODE_AUTH_CONNECT_LAYER_V6", "5fbfc31d-a51c-44dc-acb6-0624a030a701"},
    {"FWPM_CALLOUT_POLICY_SILENT_MODE_AUTH_RECV_ACCEPT_LAYER_V4", "5fbfc31d-a51c-44dc-acb6-0624a030a702"},
    {"FWPM_CALLOUT_POLICY_SILENT_MODE_AUTH_RECV_ACCEPT_LAYER_V6", "5fbfc31d-a51c-44dc-acb6-0624a030a703"},
    {"FWPM_CALLOUT_HTTP_TEMPLATE_SSL_HANDSHAKE", "b3423249-8d09-4858-9210-95c7fda8e30f"},
    {"FWPM_PROVIDER_CONTEXT_SECURE_SOCKET_AUTHIP", "b25ea800-0d02-46ed-92bd-7fa84bb73e9d"},
    {"FWPM_PROVIDER_CONTEXT_SECURE_SOCKET_IPSEC", "8c2d4144-f8e0-42c0-94ce-7ccfc63b2f9b"},
};

/* Run-time layer ids (FWPS_BUILTIN_LAYERS in the WDK's fwpsk.h: each layer followed by its
 * _DISCARD twin). Driver records, net events (layerId) and audit events (LayerRTID) use them;
 * they agree with events.md's observations (13 inbound transport v4 discard, 28 ICMP error v4,
 * 36/38 resource assignment, 40 listen, 44/46 receive/accept, 48/50 connect). */
static const char *const fwps_layers[] = {
    "INBOUND_IPPACKET_V4", "INBOUND_IPPACKET_V4_DISCARD", "INBOUND_IPPACKET_V6", "INBOUND_IPPACKET_V6_DISCARD",
    "OUTBOUND_IPPACKET_V4", "OUTBOUND_IPPACKET_V4_DISCARD", "OUTBOUND_IPPACKET_V6", "OUTBOUND_IPPACKET_V6_DISCARD",
    "IPFORWARD_V4", "IPFORWARD_V4_DISCARD", "IPFORWARD_V6", "IPFORWARD_V6_DISCARD",
    "INBOUND_TRANSPORT_V4", "INBOUND_TRANSPORT_V4_DISCARD", "INBOUND_TRANSPORT_V6", "INBOUND_TRANSPORT_V6_DISCARD",
    "OUTBOUND_TRANSPORT_V4", "OUTBOUND_TRANSPORT_V4_DISCARD", "OUTBOUND_TRANSPORT_V6", "OUTBOUND_TRANSPORT_V6_DISCARD",
    "STREAM_V4", "STREAM_V4_DISCARD", "STREAM_V6", "STREAM_V6_DISCARD",
    "DATAGRAM_DATA_V4", "DATAGRAM_DATA_V4_DISCARD", "DATAGRAM_DATA_V6", "DATAGRAM_DATA_V6_DISCARD",
    "INBOUND_ICMP_ERROR_V4", "INBOUND_ICMP_ERROR_V4_DISCARD", "INBOUND_ICMP_ERROR_V6", "INBOUND_ICMP_ERROR_V6_DISCARD",
    "OUTBOUND_ICMP_ERROR_V4", "OUTBOUND_ICMP_ERROR_V4_DISCARD", "OUTBOUND_ICMP_ERROR_V6", "OUTBOUND_ICMP_ERROR_V6_DISCARD",
    "ALE_RESOURCE_ASSIGNMENT_V4", "ALE_RESOURCE_ASSIGNMENT_V4_DISCARD", "ALE_RESOURCE_ASSIGNMENT_V6",
    "ALE_RESOURCE_ASSIGNMENT_V6_DISCARD",
    "ALE_AUTH_LISTEN_V4", "ALE_AUTH_LISTEN_V4_DISCARD", "ALE_AUTH_LISTEN_V6", "ALE_AUTH_LISTEN_V6_DISCARD",
    "ALE_AUTH_RECV_ACCEPT_V4", "ALE_AUTH_RECV_ACCEPT_V4_DISCARD", "ALE_AUTH_RECV_ACCEPT_V6",
    "ALE_AUTH_RECV_ACCEPT_V6_DISCARD",
    "ALE_AUTH_CONNECT_V4", "ALE_AUTH_CONNECT_V4_DISCARD", "ALE_AUTH_CONNECT_V6", "ALE_AUTH_CONNECT_V6_DISCARD",
};


#define FILETIME_UNIX_EPOCH 116444736000000000ull  /* 1970-01-01 in 100 ns units since 1601 */
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

char *wfpw_guid_str(const struct wfpw_guid *g, char out[WFPW_GUID_STR_LEN])
{
    snprintf(out, WFPW_GUID_STR_LEN, "{%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x}", (unsigned)g->d1,
             (unsigned)g->d2, (unsigned)g->d3, g->d4[0], g->d4[1], g->d4[2], g->d4[3], g->d4[4], g->d4[5],
             g->d4[6], g->d4[7]);
    return out;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int wfpw_guid_parse(const char *s, struct wfpw_guid *g)
{
    /* digit positions of the 32 nibbles in "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" */
    uint8_t b[16];
    size_t i, n = 0, len;
    int braced = s[0] == '{';
    if (braced)
        s++;
    len = strlen(s);
    if (len != 36u + (size_t)braced || (braced && s[36] != '}'))
        return WFPW_ESYNTAX;
    for (i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return WFPW_ESYNTAX;
            continue;
        }
        int hi = hexval(s[i]), lo = hexval(s[i + 1]);
        if (hi < 0 || lo < 0)
            return WFPW_ESYNTAX;
        b[n++] = (uint8_t)(hi << 4 | lo);
        i++;
    }
    g->d1 = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
    g->d2 = (uint16_t)(b[4] << 8 | b[5]);
    g->d3 = (uint16_t)(b[6] << 8 | b[7]);
    memcpy(g->d4, b + 8, 8);
    return 0;
}

int wfpw_guid_is_null(const struct wfpw_guid *g)
{
    static const struct wfpw_guid zero;
    return memcmp(g, &zero, sizeof(zero)) == 0;
}

static const char *find_name(const struct named_guid *t, size_t n, const struct wfpw_guid *g)
{
    char s[WFPW_GUID_STR_LEN];
    size_t i;
    wfpw_guid_str(g, s);
    s[37] = '\0';
    for (i = 0; i < n; i++)
        if (memcmp(t[i].guid, s + 1, 36) == 0)
            return t[i].name;
    return NULL;
}

static int find_guid(const struct named_guid *t, size_t n, const char *prefix, const char *name,
                     struct wfpw_guid *g)
{
    size_t i, pl = strlen(prefix);
    if (strncmp(name, prefix, pl) == 0)
        name += pl;
    for (i = 0; i < n; i++)
        if (strcmp(t[i].name, name) == 0)
            return wfpw_guid_parse(t[i].guid, g);
    return WFPW_ENOENT;
}

const char *wfpw_fwp_layer_name(const struct wfpw_guid *g) { return find_name(layers, COUNT(layers), g); }
const char *wfpw_fwp_field_name(const struct wfpw_guid *g) { return find_name(fields, COUNT(fields), g); }

const char *wfpw_fwp_object_symbol(const struct wfpw_guid *g) { return find_name(objects, COUNT(objects), g); }

int wfpw_fwp_object_guid(const char *symbol, struct wfpw_guid *g)
{
    return find_guid(objects, COUNT(objects), "", symbol, g);
}

int wfpw_fwp_field_guid(const char *name, struct wfpw_guid *g)
{
    return find_guid(fields, COUNT(fields), "FWPM_CONDITION_", name, g);
}

int wfpw_fwp_layer_guid(const char *name, struct wfpw_guid *g)
{
    return find_guid(layers, COUNT(layers), "FWPM_LAYER_", name, g);
}

const char *wfpw_fwp_type_name(uint32_t type)
{
    static const char *const single[] = {
        "EMPTY", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64", "FLOAT", "DOUBLE",
        "BYTE_ARRAY16_TYPE", "BYTE_BLOB_TYPE", "SID", "SECURITY_DESCRIPTOR_TYPE", "TOKEN_INFORMATION_TYPE",
        "TOKEN_ACCESS_INFORMATION_TYPE", "UNICODE_STRING_TYPE", "BYTE_ARRAY6_TYPE", "BITMAP_INDEX_TYPE",
        "BITMAP_ARRAY64_TYPE"};
    if (type < COUNT(single))
        return single[type];
    switch (type) {
    case WFPW_FWP_V4_ADDR_MASK: return "V4_ADDR_MASK";
    case WFPW_FWP_V6_ADDR_MASK: return "V6_ADDR_MASK";
    case WFPW_FWP_RANGE_TYPE: return "RANGE_TYPE";
    default: return NULL;
    }
}

const char *wfpw_fwp_match_name(uint32_t match)
{
    static const char *const names[] = {"EQUAL", "GREATER", "LESS", "GREATER_OR_EQUAL", "LESS_OR_EQUAL", "RANGE",
                                        "FLAGS_ALL_SET", "FLAGS_ANY_SET", "FLAGS_NONE_SET",
                                        "EQUAL_CASE_INSENSITIVE", "NOT_EQUAL", "PREFIX", "NOT_PREFIX"};
    return match < COUNT(names) ? names[match] : NULL;
}

const char *wfpw_fwp_action_name(uint32_t action)
{
    switch (action) {
    case 0x1001: return "BLOCK";
    case 0x1002: return "PERMIT";
    case 0x5003: return "CALLOUT_TERMINATING";
    case 0x6004: return "CALLOUT_INSPECTION";
    case 0x4005: return "CALLOUT_UNKNOWN";
    case 0x2006: return "CONTINUE";
    case 0x7: return "NONE";
    case 0x8: return "NONE_NO_MATCH";
    default: return NULL;
    }
}

int wfpw_fwp_flags(enum wfpw_fwp_flag_kind kind, uint32_t flags, int (*emit)(void *ctx, const char *name),
                   void *ctx)
{
    /* bit i -> name; FWPM_FILTER0 / FWPM_PROVIDER0 / FWPM_SUBLAYER0 documentation */
    static const char *const filter[] = {"PERSISTENT", "BOOTTIME", "HAS_PROVIDER_CONTEXT", "CLEAR_ACTION_RIGHT",
                                         "PERMIT_IF_CALLOUT_UNREGISTERED", "DISABLED", "INDEXED",
                                         "HAS_SECURITY_REALM_PROVIDER_CONTEXT", "SYSTEMOS_ONLY", "GAMEOS_ONLY",
                                         "SILENT_MODE", "IPSEC_NO_ACQUIRE_INITIATE"};
    static const char *const provider[] = {"PERSISTENT", NULL, NULL, NULL, "DISABLED"};
    static const char *const sublayer[] = {"PERSISTENT"};
    const char *const *names = kind == WFPW_FLAGS_FILTER ? filter : kind == WFPW_FLAGS_PROVIDER ? provider : sublayer;
    size_t n = kind == WFPW_FLAGS_FILTER ? COUNT(filter) : kind == WFPW_FLAGS_PROVIDER ? COUNT(provider) : COUNT(sublayer);
    unsigned bit;
    int rc;
    for (bit = 0; bit < 32; bit++) {
        char hex[16];
        uint32_t m = 1u << bit;
        if (!(flags & m))
            continue;
        if (bit < n && names[bit]) {
            rc = emit(ctx, names[bit]);
        } else {
            snprintf(hex, sizeof(hex), "0x%x", (unsigned)m);
            rc = emit(ctx, hex);
        }
        if (rc != 0)
            return rc;
    }
    return 0;
}

const char *wfpw_fwps_layer_name(unsigned id)
{
    return id < COUNT(fwps_layers) ? fwps_layers[id] : NULL;
}

int wfpw_fwps_layer_is_packet(unsigned id)
{
    return id < 20;  /* IP-packet, forward and transport layers */
}

int wfpw_fwps_layer_has_remote(unsigned id)
{
    return !(id >= 36 && id <= 43);  /* resource assignment (bind) and listen have no remote end */
}

int wfpw_filetime_ms(uint64_t ft, int64_t *ms)
{
    if (ft < FILETIME_UNIX_EPOCH || (ft - FILETIME_UNIX_EPOCH) / 10000 > 253402300799999ull)
        return WFPW_ERANGE;  /* before 1970 or after 9999: not on the wire */
    *ms = (int64_t)((ft - FILETIME_UNIX_EPOCH) / 10000);
    return 0;
}
