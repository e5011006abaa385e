/* corpus-expectations.c: what every recorded corpus file must yield
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The values below were read from the recorded files (and cross-checked with
 * a throwaway script). Text is compared by length, first and last bytes and
 * SHA-256; counts of parts are after merging (consecutive plain text deltas
 * of the same kind joined; citations and grounding resent by the server in
 * full not duplicated).
 */

#include "config.h"

#include <string.h>

#include "corpus-expectations.h"
#include "gem-sse-decoder.h"

const CorpusExpectation corpus_expectations[] = {
  {
    .path = "recorded/googleai/streaming-failure-image-rejected.txt",
    .streaming = TRUE,
    .http_status = 400,
    .error_code = GEM_ERROR_BAD_REQUEST,
    .api_status = "INVALID_ARGUMENT",
    .error_message_start = "Request contains an invalid argument.",
  },
  {
    .path = "recorded/googleai/streaming-failure-prompt-blocked-safety.txt",
    .streaming = TRUE,
    .http_status = 200,
    .n_events = 1,
    .error_code = GEM_ERROR_BLOCKED_PROMPT,
    .error_reason = "SAFETY",
    .text_len = 0,
    .block_reason = "SAFETY",
    .n_candidates = 0,
    .n_parts = 0,
  },
  {
    .path = "recorded/googleai/streaming-failure-recitation-no-content.txt",
    .streaming = TRUE,
    .http_status = 200,
    .n_events = 9,
    .error_code = GEM_ERROR_STOPPED_RECITATION,
    .error_reason = "RECITATION",
    .text_len = 40,
    .text_start = "text1text2text3text4text5text6text7text8",
    .text_end = "t2text3text4text5text6text7text8",
    .text_sha256 = "6a447319052d270abffe455da1b6b933c703c4b7d524d3762691b624a16d5d43",
    .finish_reason = "RECITATION",
    .n_candidates = 1,
    .n_parts = 1,
    .has_usage = TRUE,
    .usage_prompt = 9, .usage_candidates = 261, .usage_thoughts = 0,
    .usage_total = 270, .usage_tool_use = 0,
    .n_citations = 10,
    .model_version = "gemini-2.0-flash",
  },
  {
    .path = "recorded/googleai/streaming-success-basic-reply-long.txt",
    .streaming = TRUE,
    .http_status = 200,
    .n_events = 36,
    .error_code = CORPUS_NO_ERROR,
    .text_len = 8845,
    .text_start = "Okay, let's dive into the world of cats ",
    .text_end = "chniques, or health conditions.\n",
    .text_sha256 = "a8646bdd13568fb1f13021aaa5a1ea4600436ed4b91c0ac73de0b938f47ed611",
    .finish_reason = "STOP",
    .n_candidates = 1,
    .n_parts = 1,
    .has_usage = TRUE,
    .usage_prompt = 10, .usage_candidates = 1996, .usage_thoughts = 0,
    .usage_total = 2006, .usage_tool_use = 0,
    .model_version = "gemini-2.0-flash",
  },
  {
    .path = "recorded/googleai/streaming-success-basic-reply-short.txt",
    .streaming = TRUE,
    .http_status = 200,
    .n_events = 3,
    .error_code = CORPUS_NO_ERROR,
    .text_len = 40,
    .text_start = "The capital of Wyoming is **Cheyenne**.\n",
    .text_end = "tal of Wyoming is **Cheyenne**.\n",
    .text_sha256 = "8032a2fc30e995cb14de0c6db4e009362494298bc658f0be1ce67a67a869fe0b",
    .finish_reason = "STOP",
    .n_candidates = 1,
    .n_parts = 1,
    .has_usage = TRUE,
    .usage_prompt = 7, .usage_candidates = 10, .usage_thoughts = 0,
    .usage_total = 17, .usage_tool_use = 0,
    .model_version = "gemini-2.0-flash",
  },
  {
    .path = "recorded/googleai/streaming-success-citations.txt",
    .streaming = TRUE,
    .http_status = 200,
    .n_events = 26,
    .error_code = CORPUS_NO_ERROR,
    .text_len = 6711,
    .text_start = "Okay, let's break down quantum mechanics",
    .text_end = " luck on your learning journey!\n",
    .text_sha256 = "a798becc34e39d1319e1bd281059bb0c09bc7bcc3b60f4a2a12316149009e55c",
    .finish_reason = "STOP",
    .n_candidates = 1,
    .n_parts = 1,
    .has_usage = TRUE,
    .usage_prompt = 15, .usage_candidates = 1381, .usage_thoughts = 0,
    .usage_total = 1396, .usage_tool_use = 0,
    .n_citations = 1,
    .model_version = "gemini-2.0-flash",
  },
  {
    .path = "recorded/googleai/streaming-success-code-execution.txt",
    .streaming = TRUE,
    .http_status = 200,
    .n_events = 6,
    .error_code = CORPUS_NO_ERROR,
    .text_len = 228,
    .text_start = "To find the sum of the first 5 prime num",
    .text_end = "the first 5 prime numbers is 28.",
    .text_sha256 = "304b262c6e6ac53eb0e6091ebf3c2e109ee33502e9da52225a13e6ea233268db",
    .finish_reason = "STOP",
    .n_candidates = 1,
    .n_parts = 4,
    .has_usage = TRUE,
    .usage_prompt = 21, .usage_candidates = 126, .usage_thoughts = 95,
    .usage_total = 485, .usage_tool_use = 243,
    .model_version = "gemini-2.5-flash",
    .response_id = "RUy4aObyJcTujrEPqtKYKQ",
  },
  {
    .path = "recorded/googleai/streaming-success-empty-parts.txt",
    .streaming = TRUE,
    .http_status = 200,
    .n_events = 7,
    .error_code = CORPUS_NO_ERROR,
    .text_len = 66,
    .text_start = "Here's a cute cartoon kitten playing wit",
    .text_end = "ng with a ball of yarn for you! ",
    .text_sha256 = "5f67f54791b00752f99707662e86cab51d18093ab9b7edc7058547774a86b603",
    .finish_reason = "STOP",
    .n_candidates = 1,
    .n_parts = 2,
    .n_images = 1,
    .image_mime = "image/png",
    .image_bytes = 69,
    .has_usage = TRUE,
    .usage_prompt = 16, .usage_candidates = 1307, .usage_thoughts = 0,
    .usage_total = 1323, .usage_tool_use = 0,
    .model_version = "gemini-2.5-flash-image-preview",
    .response_id = "kLewaKa5ONqI-8YP-c_NuAQ",
  },
  {
    .path = "recorded/googleai/streaming-success-finish-message.txt",
    .streaming = TRUE,
    .http_status = 200,
    .n_events = 2,
    .error_code = CORPUS_NO_ERROR,
    .text_len = 12,
    .text_start = "Hello world!",
    .text_end = "Hello world!",
    .text_sha256 = "c0535e4be2b79ffd93291305436bf889314e4a3faec05ecffcbb7df31ad9e51a",
    .finish_reason = "STOP",
    .finish_message = "Finished successfully",
    .n_candidates = 1,
    .n_parts = 1,
    .model_version = "gemini-2.0-flash",
  },
  {
    .path = "recorded/googleai/streaming-success-no-content-parts.txt",
    .streaming = TRUE,
    .http_status = 200,
    .n_events = 5,
    .error_code = CORPUS_NO_ERROR,
    .text_len = 419,
    .text_start = "I will generate a 3D rendering of a whim",
    .text_end = "a bright, slightly cloudy sky.\n\n",
    .text_sha256 = "3e8506c8870999553c422d33a767adca78a39310c44e48a2b41a61bc1fdeaab7",
    .finish_reason = "STOP",
    .n_candidates = 1,
    .n_parts = 1,
    .has_usage = TRUE,
    .usage_prompt = 34, .usage_candidates = 1370, .usage_thoughts = 0,
    .usage_total = 1404, .usage_tool_use = 0,
    .model_version = "gemini-2.0-flash-preview-image-generation",
  },
  {
    .path = "recorded/googleai/"
            "streaming-success-thinking-function-call-thought-summary-signature.txt",
    .streaming = TRUE,
    .http_status = 200,
    .n_events = 3,
    .error_code = CORPUS_NO_ERROR,
    .text_len = 0,
    .thought_len = 765,
    .thought_start = "**Calculating the Days**\n\nI've determine",
    .finish_reason = "STOP",
    .n_candidates = 1,
    .n_parts = 2,
    .n_thought_signatures = 1,
    .n_function_calls = 1,
    .function_call_name = "now",
    .function_call_args = "{}",
    .has_usage = TRUE,
    .usage_prompt = 38, .usage_candidates = 6, .usage_thoughts = 168,
    .usage_total = 212, .usage_tool_use = 0,
    .model_version = "gemini-2.5-flash",
    .response_id = "48SHaPHpHKbG-8YPtZCawAk",
  },
  {
    .path = "recorded/googleai/streaming-success-thinking-reply-thought-summary.txt",
    .streaming = TRUE,
    .http_status = 200,
    .n_events = 5,
    .error_code = CORPUS_NO_ERROR,
    .text_len = 263,
    .text_start = "The sky is blue because tiny gas molecul",
    .text_end = "the sky appear blue to our eyes.",
    .text_sha256 = "6d25551209976d1e61a3def27a8049991d70e973c60640c5f2903f0a4fc76e2b",
    .thought_len = 1133,
    .thought_start = "**Exploring Sky Color**\n\nI've zeroed in ",
    .finish_reason = "STOP",
    .n_candidates = 1,
    .n_parts = 2,
    .has_usage = TRUE,
    .usage_prompt = 10, .usage_candidates = 48, .usage_thoughts = 540,
    .usage_total = 598, .usage_tool_use = 0,
    .model_version = "gemini-2.5-flash",
    .response_id = "0J-HaJetAqv0jrEPwu-tsQ0",
  },
  {
    .path = "recorded/googleai/streaming-success-url-context.txt",
    .streaming = TRUE,
    .http_status = 200,
    .n_events = 4,
    .error_code = CORPUS_NO_ERROR,
    .text_len = 361,
    .text_start = "\nThe Google homepage primarily serves as",
    .text_end = "usiness, and an \"About\" section.",
    .text_sha256 = "94dc80f3c9ba2ba37d2334d1d92866e12b1f420a9c81d54d71fa1a73e438712a",
    .finish_reason = "STOP",
    .n_candidates = 1,
    .n_parts = 1,
    .has_usage = TRUE,
    .usage_prompt = 438, .usage_candidates = 81, .usage_thoughts = 39,
    .usage_total = 1177, .usage_tool_use = 619,
    .n_grounding_chunks = 1, .n_grounding_supports = 3, .n_web_search_queries = 0,
    .grounding_first_uri = "https://google.com",
    .model_version = "gemini-2.5-flash",
    .response_id = "IJLJaPGIL7uN1MkPvI6K0QQ",
  },
  {
    .path = "recorded/googleai/unary-failure-api-key.json",
    .streaming = FALSE,
    .http_status = 400,
    .error_code = GEM_ERROR_INVALID_KEY,
    .api_status = "INVALID_ARGUMENT",
    .error_reason = "API_KEY_INVALID",
    .error_message_start = "API key not valid. Please pass a valid API key.",
  },
  {
    .path = "recorded/googleai/unary-failure-api-key.txt",
    .streaming = FALSE,
    .http_status = 400,
    .error_code = GEM_ERROR_INVALID_KEY,
    .api_status = "INVALID_ARGUMENT",
    .error_reason = "API_KEY_INVALID",
    .error_message_start = "API key not valid. Please pass a valid API key.",
  },
  {
    .path = "recorded/googleai/unary-failure-finish-reason-safety.json",
    .streaming = FALSE,
    .http_status = 200,
    .error_code = GEM_ERROR_STOPPED_SAFETY,
    .error_reason = "SAFETY",
    .text_len = 38,
    .text_start = "Safety error incoming in 5, 4, 3, 2...",
    .text_end = " error incoming in 5, 4, 3, 2...",
    .text_sha256 = "edcc6834dc8af10c6a9786d36930c115de06a9b2582ea890846455729d207933",
    .finish_reason = "SAFETY",
    .n_candidates = 1,
    .n_parts = 1,
    .has_usage = TRUE,
    .usage_prompt = 7, .usage_candidates = 20, .usage_thoughts = 0,
    .usage_total = 27, .usage_tool_use = 0,
    .model_version = "gemini-2.0-flash",
  },
  {
    .path = "recorded/googleai/unary-failure-finish-reason-safety.txt",
    .streaming = FALSE,
    .http_status = 200,
    .error_code = GEM_ERROR_STOPPED_SAFETY,
    .error_reason = "SAFETY",
    .text_len = 38,
    .text_start = "Safety error incoming in 5, 4, 3, 2...",
    .text_end = " error incoming in 5, 4, 3, 2...",
    .text_sha256 = "edcc6834dc8af10c6a9786d36930c115de06a9b2582ea890846455729d207933",
    .finish_reason = "SAFETY",
    .n_candidates = 1,
    .n_parts = 1,
    .has_usage = TRUE,
    .usage_prompt = 7, .usage_candidates = 20, .usage_thoughts = 0,
    .usage_total = 27, .usage_tool_use = 0,
    .model_version = "gemini-2.0-flash",
  },
  {
    .path = "recorded/googleai/unary-failure-generativelanguage-api-not-enabled.json",
    .streaming = FALSE,
    .http_status = 403,
    .error_code = GEM_ERROR_PERMISSION_DENIED,
    .api_status = "PERMISSION_DENIED",
    .error_reason = "SERVICE_DISABLED",
    .error_message_start = "Generative Language API has not been used in pro",
  },
  {
    .path = "recorded/googleai/unary-failure-only-prompt-feedback.json",
    .streaming = FALSE,
    .http_status = 200,
    .error_code = GEM_ERROR_BLOCKED_PROMPT,
    .error_message_start = "Message",
    .text_len = 0,
    .block_reason_message = "Message",
    .n_candidates = 0,
    .n_parts = 0,
    .model_version = "gemini-2.0-flash",
  },
  {
    .path = "recorded/googleai/unary-failure-unknown-model.json",
    .streaming = FALSE,
    .http_status = 404,
    .error_code = GEM_ERROR_MODEL_NOT_FOUND,
    .api_status = "NOT_FOUND",
    .error_message_start = "models/gemini-5.0-flash is not found for API ver",
  },
  {
    .path = "recorded/googleai/unary-failure-unknown-model.txt",
    .streaming = FALSE,
    .http_status = 404,
    .error_code = GEM_ERROR_MODEL_NOT_FOUND,
    .api_status = "NOT_FOUND",
    .error_message_start = "models/gemini-5.0-flash is not found for API ver",
  },
  {
    .path = "recorded/googleai/unary-failure-with-message-no-content.json",
    .streaming = FALSE,
    .http_status = 200,
    .error_code = GEM_ERROR_STOPPED_OTHER,
    .error_reason = "OTHER",
    .error_message_start = "Model failed to generate content due to internal",
    .text_len = 0,
    .finish_reason = "OTHER",
    .finish_message = "Model failed to generate content due to internal error.",
    .n_candidates = 1,
    .n_parts = 0,
  },
  {
    .path = "recorded/googleai/unary-success-basic-reply-long.json",
    .streaming = FALSE,
    .http_status = 200,
    .error_code = CORPUS_NO_ERROR,
    .text_len = 2593,
    .text_start = "Making professional-quality coffee at ho",
    .text_end = "er (e.g., Hario V60, Chemex):**\n",
    .text_sha256 = "de876308932eaccca92910a6907e66e30ebe535ba07615413936befa010e0eb1",
    .finish_reason = "STOP",
    .n_candidates = 1,
    .n_parts = 1,
    .has_usage = TRUE,
    .usage_prompt = 9, .usage_candidates = 1612, .usage_thoughts = 0,
    .usage_total = 1621, .usage_tool_use = 0,
    .model_version = "gemini-2.0-flash",
  },
  {
    .path = "recorded/googleai/unary-success-basic-reply-long.txt",
    .streaming = FALSE,
    .http_status = 200,
    .error_code = CORPUS_NO_ERROR,
    .text_len = 2593,
    .text_start = "Making professional-quality coffee at ho",
    .text_end = "er (e.g., Hario V60, Chemex):**\n",
    .text_sha256 = "de876308932eaccca92910a6907e66e30ebe535ba07615413936befa010e0eb1",
    .finish_reason = "STOP",
    .n_candidates = 1,
    .n_parts = 1,
    .has_usage = TRUE,
    .usage_prompt = 9, .usage_candidates = 1612, .usage_thoughts = 0,
    .usage_total = 1621, .usage_tool_use = 0,
    .model_version = "gemini-2.0-flash",
  },
  {
    .path = "recorded/googleai/unary-success-basic-reply-short.json",
    .streaming = FALSE,
    .http_status = 200,
    .error_code = CORPUS_NO_ERROR,
    .text_len = 98,
    .text_start = "Google's headquarters, also known as the",
    .text_end = " **Mountain View, California**.\n",
    .text_sha256 = "f291da1260ce46e70175bb52582f67eac57be1ef525ce8a13a8a1c9eae7e4e6e",
    .finish_reason = "STOP",
    .n_candidates = 1,
    .n_parts = 1,
    .has_usage = TRUE,
    .usage_prompt = 7, .usage_candidates = 22, .usage_thoughts = 0,
    .usage_total = 29, .usage_tool_use = 0,
    .model_version = "gemini-2.0-flash",
  },
  {
    .path = "recorded/googleai/unary-success-basic-reply-short.txt",
    .streaming = FALSE,
    .http_status = 200,
    .error_code = CORPUS_NO_ERROR,
    .text_len = 98,
    .text_start = "Google's headquarters, also known as the",
    .text_end = " **Mountain View, California**.\n",
    .text_sha256 = "f291da1260ce46e70175bb52582f67eac57be1ef525ce8a13a8a1c9eae7e4e6e",
    .finish_reason = "STOP",
    .n_candidates = 1,
    .n_parts = 1,
    .has_usage = TRUE,
    .usage_prompt = 7, .usage_candidates = 22, .usage_thoughts = 0,
    .usage_total = 29, .usage_tool_use = 0,
    .model_version = "gemini-2.0-flash",
  },
  {
    .path = "recorded/googleai/unary-success-citations.json",
    .streaming = FALSE,
    .http_status = 200,
    .error_code = CORPUS_NO_ERROR,
    .text_len = 93,
    .text_start = "Okay, let's break down quantum mechanics",
    .text_end = "but fascinating area of physics!",
    .text_sha256 = "cfbf8be10641da6d9899ffcdbede8d91ca127a3364c0cbde49e0c3796fd84717",
    .finish_reason = "STOP",
    .n_candidates = 1,
    .n_parts = 1,
    .has_usage = TRUE,
    .usage_prompt = 15, .usage_candidates = 1667, .usage_thoughts = 0,
    .usage_total = 1682, .usage_tool_use = 0,
    .n_citations = 4,
    .model_version = "gemini-2.0-flash",
  },
  {
    .path = "recorded/googleai/unary-success-citations.txt",
    .streaming = FALSE,
    .http_status = 200,
    .error_code = CORPUS_NO_ERROR,
    .text_len = 93,
    .text_start = "Okay, let's break down quantum mechanics",
    .text_end = "but fascinating area of physics!",
    .text_sha256 = "cfbf8be10641da6d9899ffcdbede8d91ca127a3364c0cbde49e0c3796fd84717",
    .finish_reason = "STOP",
    .n_candidates = 1,
    .n_parts = 1,
    .has_usage = TRUE,
    .usage_prompt = 15, .usage_candidates = 1667, .usage_thoughts = 0,
    .usage_total = 1682, .usage_tool_use = 0,
    .n_citations = 4,
    .model_version = "gemini-2.0-flash",
  },
  {
    .path = "recorded/googleai/unary-success-code-execution.json",
    .streaming = FALSE,
    .http_status = 200,
    .error_code = CORPUS_NO_ERROR,
    .text_len = 102,
    .text_start = "The first 5 prime numbers are 2, 3, 5, 7",
    .text_end = "bers is:\n2 + 3 + 5 + 7 + 11 = 28",
    .text_sha256 = "39e5dacd22d8fa2c138a2789ab131e5683d680bf006fadd1bba0f45b21f09e74",
    .finish_reason = "STOP",
    .n_candidates = 1,
    .n_parts = 3,
    .has_usage = TRUE,
    .usage_prompt = 21, .usage_candidates = 96, .usage_thoughts = 86,
    .usage_total = 363, .usage_tool_use = 160,
    .model_version = "gemini-2.5-flash",
    .response_id = "2Uu4aK2pMeOR-8YP-7eXwAQ",
  },
  {
    .path = "recorded/googleai/unary-success-google-maps-grounding.json",
    .streaming = FALSE,
    .http_status = 200,
    .error_code = CORPUS_NO_ERROR,
    .text_len = 1095,
    .text_start = "Here are a few pizza places near you:\n\n*",
    .text_end = " takeout, delivery, and dine-in.",
    .text_sha256 = "b4a35278872b5a766aef5a6930a232f8443a2fac87fb6835a37259c5fdfb3177",
    .finish_reason = "STOP",
    .n_candidates = 1,
    .n_parts = 1,
    .has_usage = TRUE,
    .usage_prompt = 9, .usage_candidates = 288, .usage_thoughts = 87,
    .usage_total = 443, .usage_tool_use = 59,
    .n_grounding_chunks = 20, .n_grounding_supports = 4, .n_web_search_queries = 1,
    .grounding_first_uri = "https://maps.google.com/?cid=10332424901773702701",
    .first_web_search_query = "pizza near me",
    .model_version = "gemini-2.5-flash",
    .response_id = "oNt4adaNNIrQjMcPqMfQ0A8",
  },
  {
    .path = "recorded/googleai/unary-success-google-search-grounding-empty-grounding-chunks.json",
    .streaming = FALSE,
    .http_status = 200,
    .error_code = CORPUS_NO_ERROR,
    .text_len = 187,
    .text_start = "The current weather in London, United Ki",
    .text_end = "and the humidity is around 41%.\n",
    .text_sha256 = "8249b8a1cb563ed2c3ebdf872d3572176dc01d666da6e517fb88f5f5f0f84f34",
    .finish_reason = "STOP",
    .n_candidates = 1,
    .n_parts = 1,
    .has_usage = TRUE,
    .usage_prompt = 8, .usage_candidates = 59, .usage_thoughts = 0,
    .usage_total = 67, .usage_tool_use = 0,
    .n_grounding_chunks = 2, .n_grounding_supports = 1, .n_web_search_queries = 1,
    .first_web_search_query = "current weather London",
    .has_search_entry_point = TRUE,
    .model_version = "gemini-2.0-flash",
    .response_id = "4w1DaLPiNOCKqsMPrNTTyAQ",
  },
  {
    .path = "recorded/googleai/unary-success-google-search-grounding.json",
    .streaming = FALSE,
    .http_status = 200,
    .error_code = CORPUS_NO_ERROR,
    .text_len = 186,
    .text_start = "The current weather in London, United Ki",
    .text_end = "and the humidity is around 41%.\n",
    .text_sha256 = "587aa02533128d7ff9c0d59f49412a7c175b031379bf32c27fcf896a0610f718",
    .finish_reason = "STOP",
    .n_candidates = 1,
    .n_parts = 1,
    .has_usage = TRUE,
    .usage_prompt = 8, .usage_candidates = 60, .usage_thoughts = 0,
    .usage_total = 68, .usage_tool_use = 0,
    .n_grounding_chunks = 2, .n_grounding_supports = 3, .n_web_search_queries = 1,
    .grounding_first_uri = "https://vertexaisearch.cloud.google.com/grounding-api-redirect/AbF9wXH"
                           "S4dqThDQYaHdj81DtSjCLnxmtgYPqLKTfc8-Ea4_ATkuKibe-C2xm9XLREootlLWWk7o7F"
                           "N6Ktd7PpgEIaA9KH38l33kunUQcrqm77_xaHI9tsqJ1LOgkCG9fV6HKw6WC_fbQ-9JMkaF"
                           "oJT0Xwkwb1rog-kHLu6qCTv810KzfSBUcH-lZLVxOow==",
    .first_web_search_query = "current weather in London",
    .has_search_entry_point = TRUE,
    .model_version = "gemini-2.0-flash",
    .response_id = "qA5DaPG6AZ_KhMIPkLCIoAU",
  },
  {
    .path = "recorded/googleai/unary-success-thinking-function-call-thought-summary-signature.json",
    .streaming = FALSE,
    .http_status = 200,
    .error_code = CORPUS_NO_ERROR,
    .text_len = 0,
    .thought_len = 1319,
    .thought_start = "**Thinking Through the New Year's Eve Ca",
    .finish_reason = "STOP",
    .n_candidates = 1,
    .n_parts = 2,
    .n_thought_signatures = 1,
    .n_function_calls = 1,
    .function_call_name = "now",
    .function_call_args = "{}",
    .has_usage = TRUE,
    .usage_prompt = 38, .usage_candidates = 8, .usage_thoughts = 501,
    .usage_total = 547, .usage_tool_use = 0,
    .model_version = "gemini-2.5-pro",
    .response_id = "38CHaLjMG6TujrEPtvTiuQk",
  },
  {
    .path = "recorded/googleai/unary-success-thinking-reply-thought-summary.json",
    .streaming = FALSE,
    .http_status = 200,
    .error_code = CORPUS_NO_ERROR,
    .text_len = 13,
    .text_start = "Mountain View",
    .text_end = "Mountain View",
    .text_sha256 = "cdcd81e34a6fe59990f07cd54f766c1ed2608e59ec17a578c73bd9b1b3071f21",
    .thought_len = 352,
    .thought_start = "**Thinking About Google's Headquarters**",
    .finish_reason = "STOP",
    .n_candidates = 1,
    .n_parts = 2,
    .has_usage = TRUE,
    .usage_prompt = 14, .usage_candidates = 2, .usage_thoughts = 24,
    .usage_total = 40, .usage_tool_use = 0,
    .model_version = "gemini-2.5-flash",
    .response_id = "2pmHaJqQEoqC-8YP6eStyAY",
  },
  {
    .path = "recorded/googleai/unary-success-url-context-mixed-validity.json",
    .streaming = FALSE,
    .http_status = 200,
    .error_code = CORPUS_NO_ERROR,
    .text_len = 793,
    .text_start = "\nThe valid page, https://ai.google.dev, ",
    .text_end = "he content from being retrieved.",
    .text_sha256 = "30efff9fedcb04ca0ef11b591cd08be28deb806e055bda727e69d2570a744854",
    .finish_reason = "STOP",
    .n_candidates = 1,
    .n_parts = 1,
    .has_usage = TRUE,
    .usage_prompt = 118, .usage_candidates = 312, .usage_thoughts = 46,
    .usage_total = 2437, .usage_tool_use = 1961,
    .n_grounding_chunks = 1, .n_grounding_supports = 3, .n_web_search_queries = 0,
    .grounding_first_uri = "https://ai.google.dev",
    .model_version = "gemini-2.5-flash",
    .response_id = "A3LAaKOxC7TG-8YPo_G4QA",
  },
  {
    .path = "recorded/googleai/unary-success-url-context.json",
    .streaming = FALSE,
    .http_status = 200,
    .error_code = CORPUS_NO_ERROR,
    .text_len = 496,
    .text_start = "Berkshire Hathaway Inc.'s official websi",
    .text_end = "long with a GEICO advertisement.",
    .text_sha256 = "9e2345876f6a0fa2431f1134a7660f2f488a7285b96bbe7df418d6044b7e27e2",
    .finish_reason = "STOP",
    .n_candidates = 1,
    .n_parts = 1,
    .has_usage = TRUE,
    .usage_prompt = 15, .usage_candidates = 102, .usage_thoughts = 142,
    .usage_total = 683, .usage_tool_use = 424,
    .n_grounding_chunks = 1, .n_grounding_supports = 4, .n_web_search_queries = 0,
    .grounding_first_uri = "https://berkshirehathaway.com",
    .model_version = "gemini-2.5-flash",
    .response_id = "PHLAaNz8O9il1MkP7Jf08Aw",
  },
  {
    .path = "recorded/generative-ai-js/streaming-failure-empty-content.txt",
    .streaming = TRUE,
    .http_status = 200,
    .n_events = 1,
    .error_code = GEM_ERROR_INTERRUPTED,
    .text_len = 0,
    .n_candidates = 1,
    .n_parts = 0,
  },
  {
    .path = "recorded/generative-ai-js/streaming-failure-finish-reason-safety.txt",
    .streaming = TRUE,
    .http_status = 200,
    .n_events = 1,
    .error_code = GEM_ERROR_STOPPED_SAFETY,
    .error_reason = "SAFETY",
    .text_len = 2,
    .text_start = "No",
    .text_end = "No",
    .text_sha256 = "1ea442a134b2a184bd5d40104401f2a37fbc09ccf3f4bc9da161c6099be3691d",
    .finish_reason = "SAFETY",
    .n_candidates = 1,
    .n_parts = 1,
  },
  {
    .path = "recorded/generative-ai-js/streaming-failure-prompt-blocked-safety.txt",
    .streaming = TRUE,
    .http_status = 200,
    .n_events = 1,
    .error_code = GEM_ERROR_BLOCKED_PROMPT,
    .error_reason = "SAFETY",
    .text_len = 0,
    .block_reason = "SAFETY",
    .n_candidates = 0,
    .n_parts = 0,
  },
  {
    .path = "recorded/generative-ai-js/streaming-failure-recitation-no-content.txt",
    .streaming = TRUE,
    .http_status = 200,
    .n_events = 3,
    .error_code = GEM_ERROR_STOPPED_RECITATION,
    .error_reason = "RECITATION",
    .text_len = 47,
    .text_start = "Copyrighted text goes hereMore copyright",
    .text_end = "t goes hereMore copyrighted text",
    .text_sha256 = "0d4907d204a90e76aca97b781ba2b4a14a267837d7934da1e08eaf1864851aeb",
    .finish_reason = "RECITATION",
    .n_candidates = 1,
    .n_parts = 1,
    .n_citations = 1,
  },
  {
    .path = "recorded/generative-ai-js/streaming-success-basic-reply-long.txt",
    .streaming = TRUE,
    .http_status = 200,
    .n_events = 6,
    .error_code = CORPUS_NO_ERROR,
    .text_len = 3285,
    .text_start = "**Cats:**\n\n- **Physical Characteristics:",
    .text_end = "otential health issues early on.",
    .text_sha256 = "76c43d4d24a729187aa266a80d8925a043962216f8f56d779cfc65a962ac5874",
    .finish_reason = "STOP",
    .n_candidates = 1,
    .n_parts = 1,
  },
  {
    .path = "recorded/generative-ai-js/streaming-success-basic-reply-short.txt",
    .streaming = TRUE,
    .http_status = 200,
    .n_events = 1,
    .error_code = CORPUS_NO_ERROR,
    .text_len = 8,
    .text_start = "Cheyenne",
    .text_end = "Cheyenne",
    .text_sha256 = "821001fe261bcf37288d7c1767188ed38cfcf17c5f86ffd1fc11db1b59f53127",
    .finish_reason = "STOP",
    .n_candidates = 1,
    .n_parts = 1,
  },
  {
    .path = "recorded/generative-ai-js/streaming-success-citations.txt",
    .streaming = TRUE,
    .http_status = 200,
    .n_events = 6,
    .error_code = CORPUS_NO_ERROR,
    .text_len = 2413,
    .text_start = "1. **Definition:**\nQuantum mechanics is ",
    .text_end = " MinutePhysics (YouTube Channel)",
    .text_sha256 = "04e7474c5df47d573c74a96e607318453bcc29525f5ad19463677bf0e5eeb5a3",
    .finish_reason = "STOP",
    .n_candidates = 1,
    .n_parts = 1,
    .n_citations = 2,
  },
  {
    .path = "recorded/generative-ai-js/streaming-success-function-call-short.txt",
    .streaming = TRUE,
    .http_status = 200,
    .n_events = 1,
    .error_code = CORPUS_NO_ERROR,
    .text_len = 0,
    .finish_reason = "STOP",
    .n_candidates = 1,
    .n_parts = 1,
    .n_function_calls = 1,
    .function_call_name = "getTemperature",
    .function_call_args = "{\"city\":\"San Jose\"}",
  },
  {
    .path = "recorded/generative-ai-js/streaming-success-search-grounding.txt",
    .streaming = TRUE,
    .http_status = 200,
    .n_events = 7,
    .error_code = CORPUS_NO_ERROR,
    .text_len = 372,
    .text_start = "The current stock price for Alphabet Inc",
    .text_end = " Google Finance or TradingView.\n",
    .text_sha256 = "f59b927bfe0998583205924db6bbd32450bf016c012bbf04cbf27fdf2730fe5f",
    .finish_reason = "STOP",
    .n_candidates = 1,
    .n_parts = 1,
    .has_usage = TRUE,
    .usage_prompt = 8, .usage_candidates = 106, .usage_thoughts = 0,
    .usage_total = 114, .usage_tool_use = 0,
    .n_grounding_chunks = 2, .n_grounding_supports = 5, .n_web_search_queries = 1,
    .grounding_first_uri = "test_uri_1",
    .first_web_search_query = "what is the current google stock price",
    .has_search_entry_point = TRUE,
  },
  {
    .path = "recorded/generative-ai-js/streaming-success-utf8.txt",
    .streaming = TRUE,
    .http_status = 200,
    .n_events = 4,
    .error_code = CORPUS_NO_ERROR,
    .text_len = 633,
    .text_start = "秋风瑟瑟，叶落纷纷，\n西风残",
    .text_end = "息，领悟秋天的哲理。",
    .text_sha256 = "a22bb3ecc49c789f675f9160d9b8fceb62abc008789002fa3cda78874c241e49",
    .finish_reason = "STOP",
    .n_candidates = 1,
    .n_parts = 1,
  },
  {
    .path = "recorded/generative-ai-js/streaming-unknown-enum.txt",
    .streaming = TRUE,
    .http_status = 200,
    .n_events = 6,
    .error_code = GEM_ERROR_STOPPED_OTHER,
    .error_reason = "FAKE_ENUM",
    .text_len = 3285,
    .text_start = "**Cats:**\n\n- **Physical Characteristics:",
    .text_end = "otential health issues early on.",
    .text_sha256 = "76c43d4d24a729187aa266a80d8925a043962216f8f56d779cfc65a962ac5874",
    .finish_reason = "FAKE_ENUM",
    .n_candidates = 1,
    .n_parts = 1,
  },
  {
    .path = "recorded/generative-ai-js/unary-failure-citations.json",
    .streaming = FALSE,
    .http_status = 200,
    .error_code = GEM_ERROR_STOPPED_RECITATION,
    .error_reason = "RECITATION",
    .text_len = 0,
    .finish_reason = "RECITATION",
    .n_candidates = 1,
    .n_parts = 0,
    .has_usage = TRUE,
    .usage_prompt = 18, .usage_candidates = 0, .usage_thoughts = 0,
    .usage_total = 18, .usage_tool_use = 0,
    .model_version = "gemini-1.5-flash-001",
  },
  {
    .path = "recorded/generative-ai-js/unary-failure-empty-content.json",
    .streaming = FALSE,
    .http_status = 200,
    .error_code = GEM_ERROR_EMPTY_RESPONSE,
    .text_len = 0,
    .n_candidates = 1,
    .n_parts = 0,
  },
  {
    .path = "recorded/generative-ai-js/unary-failure-finish-reason-safety.json",
    .streaming = FALSE,
    .http_status = 200,
    .error_code = GEM_ERROR_STOPPED_SAFETY,
    .error_reason = "SAFETY",
    .text_len = 2,
    .text_start = "No",
    .text_end = "No",
    .text_sha256 = "1ea442a134b2a184bd5d40104401f2a37fbc09ccf3f4bc9da161c6099be3691d",
    .finish_reason = "SAFETY",
    .n_candidates = 1,
    .n_parts = 1,
  },
  {
    .path = "recorded/generative-ai-js/unary-failure-image-rejected.json",
    .streaming = FALSE,
    .http_status = 400,
    .error_code = GEM_ERROR_BAD_REQUEST,
    .api_status = "INVALID_ARGUMENT",
    .error_message_start = "Request contains an invalid argument.",
  },
  {
    .path = "recorded/generative-ai-js/unary-failure-prompt-blocked-safety.json",
    .streaming = FALSE,
    .http_status = 200,
    .error_code = GEM_ERROR_BLOCKED_PROMPT,
    .error_reason = "SAFETY",
    .text_len = 0,
    .block_reason = "SAFETY",
    .n_candidates = 0,
    .n_parts = 0,
  },
  {
    .path = "recorded/generative-ai-js/unary-success-basic-reply-long.json",
    .streaming = FALSE,
    .http_status = 200,
    .error_code = CORPUS_NO_ERROR,
    .text_len = 2108,
    .text_start = "1. **Use Freshly Ground Coffee**:\n   - G",
    .text_end = "ma within 30 minutes of brewing.",
    .text_sha256 = "6e4ac664ec3c982119a281adbcb51139f471d96769ede9a1c3a20e3f25177bc6",
    .n_candidates = 1,
    .n_parts = 1,
  },
  {
    .path = "recorded/generative-ai-js/unary-success-basic-reply-short.json",
    .streaming = FALSE,
    .http_status = 200,
    .error_code = CORPUS_NO_ERROR,
    .text_len = 6,
    .text_start = "Helena",
    .text_end = "Helena",
    .text_sha256 = "be991096d386adb5bf7ad81908ff3c34d041877f154125f5e6418dd89ce7d563",
    .n_candidates = 1,
    .n_parts = 1,
  },
  {
    .path = "recorded/generative-ai-js/unary-success-citations.json",
    .streaming = FALSE,
    .http_status = 200,
    .error_code = CORPUS_NO_ERROR,
    .text_len = 2615,
    .text_start = "1. **Definition:**\nQuantum mechanics is ",
    .text_end = "Cosmos](https://www.example.com)",
    .text_sha256 = "b40c594ce7eb45014d15c444fc38ef60564ae5c8fce379495a6280031bfc81f7",
    .finish_reason = "STOP",
    .n_candidates = 1,
    .n_parts = 1,
    .n_citations = 1,
  },
  {
    .path = "recorded/generative-ai-js/unary-success-logprobs.json",
    .streaming = FALSE,
    .http_status = 200,
    .error_code = CORPUS_NO_ERROR,
    .text_len = 2615,
    .text_start = "1. **Definition:**\nQuantum mechanics is ",
    .text_end = "Cosmos](https://www.example.com)",
    .text_sha256 = "b40c594ce7eb45014d15c444fc38ef60564ae5c8fce379495a6280031bfc81f7",
    .finish_reason = "STOP",
    .n_candidates = 1,
    .n_parts = 1,
    .n_citations = 1,
  },
  {
    .path = "recorded/generative-ai-js/unary-success-search-grounding.json",
    .streaming = FALSE,
    .http_status = 200,
    .error_code = CORPUS_NO_ERROR,
    .text_len = 241,
    .text_start = "The current stock price for Alphabet Inc",
    .text_end = "valid as of October 2nd, 2024. \n",
    .text_sha256 = "df3f6fb8f1f720159a50b79e07dfe995ffacb13029a896cd4ab223c3e7c371a6",
    .finish_reason = "STOP",
    .n_candidates = 1,
    .n_parts = 1,
    .has_usage = TRUE,
    .usage_prompt = 8, .usage_candidates = 70, .usage_thoughts = 0,
    .usage_total = 78, .usage_tool_use = 0,
    .n_grounding_chunks = 2, .n_grounding_supports = 3, .n_web_search_queries = 1,
    .grounding_first_uri = "test_uri_1",
    .first_web_search_query = "what is the current google stock price",
    .has_search_entry_point = TRUE,
  },
  {
    .path = "recorded/generative-ai-js/unary-unknown-enum.json",
    .streaming = FALSE,
    .http_status = 200,
    .error_code = CORPUS_NO_ERROR,
    .text_len = 2108,
    .text_start = "1. **Use Freshly Ground Coffee**:\n   - G",
    .text_end = "ma within 30 minutes of brewing.",
    .text_sha256 = "6e4ac664ec3c982119a281adbcb51139f471d96769ede9a1c3a20e3f25177bc6",
    .n_candidates = 1,
    .n_parts = 1,
  },
};

const guint corpus_expectations_count = G_N_ELEMENTS (corpus_expectations);

const CorpusExpectation *
corpus_expectation_lookup (const char *path)
{
  for (guint i = 0; i < corpus_expectations_count; i++)
    if (g_strcmp0 (corpus_expectations[i].path, path) == 0 ||
        (path != NULL && g_str_has_suffix (path, corpus_expectations[i].path) &&
         strlen (path) > strlen (corpus_expectations[i].path) &&
         path[strlen (path) - strlen (corpus_expectations[i].path) - 1] == '/'))
      return &corpus_expectations[i];

  return NULL;
}

/**
 * corpus_expectation_full_path:
 * @row: a row
 *
 * Returns: (transfer full): the file's path under $STARLING_CORPUS_DIR
 */
char *
corpus_expectation_full_path (const CorpusExpectation *row)
{
  const char *dir = g_getenv ("STARLING_CORPUS_DIR");

  g_return_val_if_fail (dir != NULL && *dir != '\0', NULL);

  return g_build_filename (dir, row->path, NULL);
}

static gboolean
merge_event_cb (GemSseEventKind   kind,
                const char       *payload,
                gsize             len,
                gpointer          user_data,
                GError          **error)
{
  return gem_response_merge_event (user_data, payload, len, error);
}

/**
 * corpus_expectation_load:
 * @row: a row
 * @response: (out) (transfer full) (nullable): the (possibly partial) answer
 * @error: the error the pipeline ends with
 *
 * Runs the file through the protocol library as the client does: an HTTP
 * error body through gem_error_new_from_http() with the row's status, a
 * stream through the SSE decoder and gem_response_merge_event(), a unary
 * body through gem_response_new_from_json(); then (streams)
 * gem_response_is_complete() and gem_response_check_finish().
 *
 * Returns: %TRUE if the answer is good
 */
gboolean
corpus_expectation_load (const CorpusExpectation  *row,
                         GemResponse             **response,
                         GError                  **error)
{
  g_autofree char *path = corpus_expectation_full_path (row);
  g_autofree char *data = NULL;
  g_autoptr(GemResponse) result = NULL;
  gsize len = 0;

  *response = NULL;

  if (!g_file_get_contents (path, &data, &len, error))
    return FALSE;

  if (row->http_status != 200)
    {
      g_propagate_error (error, gem_error_new_from_http (row->http_status, NULL, data, len));
      return FALSE;
    }

  if (row->streaming)
    {
      g_autoptr(GemSseDecoder) decoder = gem_sse_decoder_new (0);

      result = gem_response_new ();
      if (!gem_sse_decoder_feed (decoder, data, len, merge_event_cb, result, error) ||
          !gem_sse_decoder_finish (decoder, merge_event_cb, result, error) ||
          !gem_response_is_complete (result, error))
        {
          *response = g_steal_pointer (&result);
          return FALSE;
        }
    }
  else
    {
      result = gem_response_new_from_json (data, len, error);
      if (result == NULL)
        return FALSE;
    }

  *response = g_object_ref (result);

  return gem_response_check_finish (result, error);
}

static char *
sha256 (const char *text)
{
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);
}

#define MISMATCH(...) return g_strdup_printf (__VA_ARGS__)

static char *
check_error (const CorpusExpectation *row,
             const GError            *error)
{
  const char *api_message;

  if (row->error_code == CORPUS_NO_ERROR)
    {
      if (error != NULL)
        MISMATCH ("unexpected error %s %d: %s", g_quark_to_string (error->domain),
                  error->code, error->message);
      return NULL;
    }

  if (error == NULL)
    MISMATCH ("expected error %s, got none", gem_error_code_to_string (row->error_code));
  if (error->domain != GEM_ERROR || error->code != row->error_code)
    MISMATCH ("expected error %s, got %s %d (%s): %s", gem_error_code_to_string (row->error_code),
              g_quark_to_string (error->domain), error->code,
              error->domain == GEM_ERROR ? gem_error_code_to_string (error->code) : "?",
              error->message);
  if (error->message == NULL || *error->message == '\0')
    MISMATCH ("the error has no message for the user");
  if (row->http_status != 200 && gem_error_get_http_status (error) != row->http_status)
    MISMATCH ("expected HTTP status %u, got %u", row->http_status,
              gem_error_get_http_status (error));
  if (g_strcmp0 (gem_error_get_api_status (error), row->api_status) != 0)
    MISMATCH ("expected API status %s, got %s", row->api_status, gem_error_get_api_status (error));
  if (g_strcmp0 (gem_error_get_reason (error), row->error_reason) != 0)
    MISMATCH ("expected error reason %s, got %s", row->error_reason, gem_error_get_reason (error));

  api_message = gem_error_get_api_message (error);
  if (row->error_message_start != NULL &&
      (api_message == NULL || !g_str_has_prefix (api_message, row->error_message_start)))
    MISMATCH ("expected API message starting \"%s\", got \"%s\"", row->error_message_start,
              api_message);

  return NULL;
}

/**
 * corpus_expectation_check:
 * @row: a row
 * @response: (nullable): the answer obtained from the row's file
 * @error: (nullable): the error obtained with it
 *
 * Compares what a layer got from the row's file with the row. For a non-200
 * row only @error matters. For others, @response must be given; if @error is
 * %NULL the pipeline's checks (gem_response_is_complete() for streams,
 * gem_response_check_finish()) are run here to find the error.
 *
 * Returns: (transfer full) (nullable): %NULL if all matches, else a
 *   description of the first mismatch
 */
char *
corpus_expectation_check (const CorpusExpectation *row,
                          GemResponse             *response,
                          const GError            *error)
{
  g_autoptr(GError) pipeline_error = NULL;
  g_autoptr(GPtrArray) calls = NULL;
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(GPtrArray) chunks = NULL;
  g_autoptr(GPtrArray) supports = NULL;
  g_autoptr(GPtrArray) citations = NULL;
  g_auto(GStrv) queries = NULL;
  g_autofree char *text_sha = NULL;
  JsonArray *parts;
  const char *text;
  gsize text_len;
  GemUsage usage;
  gboolean has_usage;

  g_return_val_if_fail (row != NULL, NULL);

  if (row->http_status != 200)
    return check_error (row, error);

  if (response == NULL)
    MISMATCH ("no response (error: %s)", error != NULL ? error->message : "none");

  text = gem_response_get_text (response);
  text_len = gem_response_get_text_length (response);
  if (text_len != strlen (text))
    MISMATCH ("text length %" G_GSIZE_FORMAT " but strlen %" G_GSIZE_FORMAT, text_len,
              strlen (text));
  if (text_len != row->text_len)
    MISMATCH ("expected %" G_GSIZE_FORMAT " bytes of text, got %" G_GSIZE_FORMAT ": \"%.60s\"",
              row->text_len, text_len, text);
  if (row->text_start != NULL && !g_str_has_prefix (text, row->text_start))
    MISMATCH ("expected text starting \"%s\", got \"%.60s\"", row->text_start, text);
  if (row->text_end != NULL && !g_str_has_suffix (text, row->text_end))
    MISMATCH ("expected text ending \"%s\", got \"…%s\"", row->text_end,
              text + (text_len > 40 ? text_len - 40 : 0));
  if (row->text_sha256 != NULL && g_strcmp0 (row->text_sha256, (text_sha = sha256 (text))) != 0)
    MISMATCH ("text differs in the middle (sha256 %s, expected %s)", text_sha, row->text_sha256);

  if (gem_response_get_thought_text_length (response) != row->thought_len)
    MISMATCH ("expected %" G_GSIZE_FORMAT " bytes of thoughts, got %" G_GSIZE_FORMAT,
              row->thought_len, gem_response_get_thought_text_length (response));
  if (row->thought_start != NULL &&
      !g_str_has_prefix (gem_response_get_thought_text (response), row->thought_start))
    MISMATCH ("expected thoughts starting \"%s\", got \"%.60s\"", row->thought_start,
              gem_response_get_thought_text (response));

  if (g_strcmp0 (gem_response_get_finish_reason (response), row->finish_reason) != 0)
    MISMATCH ("expected finish reason %s, got %s", row->finish_reason,
              gem_response_get_finish_reason (response));
  if (g_strcmp0 (gem_response_get_finish_message (response), row->finish_message) != 0)
    MISMATCH ("expected finish message %s, got %s", row->finish_message,
              gem_response_get_finish_message (response));
  if (g_strcmp0 (gem_response_get_block_reason (response), row->block_reason) != 0)
    MISMATCH ("expected block reason %s, got %s", row->block_reason,
              gem_response_get_block_reason (response));
  if (g_strcmp0 (gem_response_get_block_reason_message (response), row->block_reason_message) != 0)
    MISMATCH ("expected block reason message %s, got %s", row->block_reason_message,
              gem_response_get_block_reason_message (response));

  if (gem_response_get_n_candidates (response) != row->n_candidates)
    MISMATCH ("expected %u candidates, got %u", row->n_candidates,
              gem_response_get_n_candidates (response));
  parts = gem_response_get_parts (response);
  if ((parts != NULL ? json_array_get_length (parts) : 0) != row->n_parts)
    MISMATCH ("expected %u merged parts, got %u", row->n_parts,
              parts != NULL ? json_array_get_length (parts) : 0);
  if (gem_response_get_thought_signature_count (response) != row->n_thought_signatures)
    MISMATCH ("expected %u thought signatures, got %u", row->n_thought_signatures,
              gem_response_get_thought_signature_count (response));

  calls = gem_response_get_function_calls (response);
  if (calls->len != row->n_function_calls)
    MISMATCH ("expected %u function calls, got %u", row->n_function_calls, calls->len);
  if (calls->len > 0)
    {
      GemFunctionCall *call = g_ptr_array_index (calls, 0);
      g_autoptr(JsonNode) expected_args = json_from_string (row->function_call_args, NULL);
      g_autoptr(JsonNode) got_args = json_from_string (call->args_json, NULL);

      if (g_strcmp0 (call->name, row->function_call_name) != 0)
        MISMATCH ("expected a call of %s, got %s", row->function_call_name, call->name);
      if (expected_args == NULL || got_args == NULL || !json_node_equal (expected_args, got_args))
        MISMATCH ("expected args %s, got %s", row->function_call_args, call->args_json);
    }

  images = gem_response_get_images (response);
  if (images->len != row->n_images || gem_response_get_image_count (response) != row->n_images)
    MISMATCH ("expected %u images, got %u (count %u)", row->n_images, images->len,
              gem_response_get_image_count (response));
  if (images->len > 0)
    {
      GemImage *image = g_ptr_array_index (images, 0);

      if (g_strcmp0 (image->mime_type, row->image_mime) != 0)
        MISMATCH ("expected image type %s, got %s", row->image_mime, image->mime_type);
      if (g_bytes_get_size (image->data) != row->image_bytes)
        MISMATCH ("expected an image of %" G_GSIZE_FORMAT " bytes, got %" G_GSIZE_FORMAT,
                  row->image_bytes, g_bytes_get_size (image->data));
    }

  has_usage = gem_response_get_usage (response, &usage);
  if (has_usage != row->has_usage)
    MISMATCH ("expected usage metadata: %s, got %s", row->has_usage ? "yes" : "no",
              has_usage ? "yes" : "no");
  if (usage.prompt != row->usage_prompt || usage.candidates != row->usage_candidates ||
      usage.thoughts != row->usage_thoughts || usage.total != row->usage_total ||
      usage.tool_use != row->usage_tool_use)
    MISMATCH ("expected usage %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT
              "/%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT ", got %" G_GINT64_FORMAT "/%"
              G_GINT64_FORMAT "/%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT
              " (prompt/candidates/thoughts/total/tool use)",
              row->usage_prompt, row->usage_candidates, row->usage_thoughts, row->usage_total,
              row->usage_tool_use, usage.prompt, usage.candidates, usage.thoughts, usage.total,
              usage.tool_use);

  chunks = gem_response_get_grounding_chunks (response);
  supports = gem_response_get_grounding_supports (response);
  queries = gem_response_get_web_search_queries (response);
  if (chunks->len != row->n_grounding_chunks || supports->len != row->n_grounding_supports ||
      g_strv_length (queries) != row->n_web_search_queries)
    MISMATCH ("expected grounding %u chunks, %u supports, %u queries; got %u, %u, %u",
              row->n_grounding_chunks, row->n_grounding_supports, row->n_web_search_queries,
              chunks->len, supports->len, g_strv_length (queries));
  if (row->grounding_first_uri != NULL)
    {
      const char *uri = NULL;

      for (guint i = 0; i < chunks->len && uri == NULL; i++)
        uri = ((GemGroundingChunk *) g_ptr_array_index (chunks, i))->uri;
      if (g_strcmp0 (uri, row->grounding_first_uri) != 0)
        MISMATCH ("expected first grounding source %s, got %s", row->grounding_first_uri, uri);
    }
  if (row->first_web_search_query != NULL &&
      g_strcmp0 (queries[0], row->first_web_search_query) != 0)
    MISMATCH ("expected first search query %s, got %s", row->first_web_search_query, queries[0]);
  if ((gem_response_get_search_entry_point (response) != NULL) != row->has_search_entry_point)
    MISMATCH ("expected a search entry point: %s", row->has_search_entry_point ? "yes" : "no");

  citations = gem_response_get_citations (response);
  if (citations->len != row->n_citations)
    MISMATCH ("expected %u citations, got %u", row->n_citations, citations->len);

  if (g_strcmp0 (gem_response_get_model_version (response), row->model_version) != 0)
    MISMATCH ("expected model version %s, got %s", row->model_version,
              gem_response_get_model_version (response));
  if (g_strcmp0 (gem_response_get_response_id (response), row->response_id) != 0)
    MISMATCH ("expected response id %s, got %s", row->response_id,
              gem_response_get_response_id (response));

  if (error == NULL)
    {
      if (row->streaming && !gem_response_is_complete (response, &pipeline_error))
        error = pipeline_error;
      else if (!gem_response_check_finish (response, &pipeline_error))
        error = pipeline_error;
    }

  return check_error (row, error);
}
