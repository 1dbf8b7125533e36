/*
 * limits.h - every cap on input-driven growth, in one place.
 * When input exceeds a cap the error names the cap (PRACTICES 6).
 */
#ifndef HK_LIMITS_H
#define HK_LIMITS_H

#define HK_MAX_RECORD_BYTES   8192      /* one UKE record (longest legal: RJ ~ 1,000 bytes; JS 2,400+) */
#define HK_MAX_FIELDS         64        /* fields in one UKE record (max legal: 33) */
#define HK_MAX_RECEIPT_RECORDS 10000     /* records of one receipt held by the checker (a month: ~200) */
#define HK_MAX_RECEIPT_BYTES  (8 << 20)  /* field bytes of one receipt held by the checker */
#define HK_MAX_CSV_LINE       65536     /* one line of an import or result CSV */
#define HK_MAX_CSV_FIELDS     128       /* columns of an import or result CSV */
#define HK_MAX_XML_DEPTH      64        /* eligibility result XML nesting */
#define HK_MAX_XML_TEXT       65536     /* one XML text node */
#define HK_MAX_RESPONSE_BYTES (4 << 20) /* one HTTP response body */
#define HK_MAX_PATH           4096
#define HK_MAX_MASTER_FILE    (16 << 20) /* one 訪問看護療養費マスター CSV (largest official: ~1 MB) */

#endif
