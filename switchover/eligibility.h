/*
 * eligibility.h - オンライン資格確認 batch exchange (docs/eligibility.md).
 *
 * Four parts, all library code (no printing, no exit):
 *
 *  1. A hardened streaming reader of 資格確認 result XML (eligibility_xml.c).
 *     libxml2's SAX2 push parser, never a DOM.  Before any byte reaches libxml2
 *     a byte filter refuses markup declarations (any "<!" other than a comment
 *     or CDATA, so every DOCTYPE and with it every entity trick), overlong
 *     text runs (HK_MAX_XML_TEXT) and encodings other than UTF-8 and
 *     Shift_JIS; the parser runs with XML_PARSE_NONET (and NO_XXE where the
 *     library has it), never NOENT/DTDLOAD/DTDVALID/XINCLUDE/HUGE, behind an
 *     external-entity loader that refuses everything; depth is capped at
 *     HK_MAX_XML_DEPTH and XInclude elements are refused.
 *     Each ResultOfQualificationConfirmation (or, for 該当資格なし, the
 *     MessageBody itself) becomes one struct hk_elig_result handed to a
 *     callback.
 *
 *  2. Ingest into the station database (eligibility_ingest.c): one
 *     transaction per file; every result becomes an `eligibility` history row
 *     and updates `coverage` (有効: refresh/insert, 無効: close).
 *
 *  3. Request files for a month (eligibility_request.c), laid out by the
 *     tables in data/eligibility/ (one .def file per layout).
 *
 *  4. Queries the claim run calls and the month report (eligibility_query.c).
 */
#ifndef HK_ELIGIBILITY_H
#define HK_ELIGIBILITY_H
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include "base/hk.h"

/* Field sizes (bytes, without the NUL).  Longer values are refused with the
 * element's name in the message. */
#define HK_ELIG_QUERY_NO_MAX 50   /* 照会番号: 50 characters (vendor guide 2.1.3 ②) */
#define HK_ELIG_IDENT_MAX    120  /* 記号/番号: 38 bytes in the UKE; UTF-8 full width may need 3x */
#define HK_ELIG_TEXT_MAX     255

/* QualificationValidity (DIGEST §5) */
enum hk_elig_validity {
	HK_ELIG_VALID = 1,        /* 有効 */
	HK_ELIG_INVALID = 2,      /* 無効 */
	HK_ELIG_INVALID_NEW = 3,  /* 無効（新しい資格あり） */
	HK_ELIG_NOT_FOUND = 4,    /* 該当資格なし */
	HK_ELIG_MULTIPLE = 5,     /* 複数該当 */
};

/* One result.  Strings are NUL-terminated, "" when absent; dates are
 * YYYY-MM-DD (converted from the XML's YYYYMMDD); ratios are percent, 0 when
 * absent. */
struct hk_elig_result {
	long line;                          /* line of the element that started it */
	/* MessageHeader */
	char confirmed_on[11];              /* QualificationConfirmationDate */
	char institution[11];               /* MedicalInstitutionCode */
	int charset;                        /* CharacterCodeIdentifier: 0 UTF-8, 1 Shift_JIS, -1 absent */
	/* MessageBody / result */
	int validity;                       /* enum hk_elig_validity */
	char query_no[HK_ELIG_QUERY_NO_MAX + 1];  /* 照会番号 (ArbitraryIdentifier) */
	char card_class[3];                 /* InsuredCardClassification */
	char insurer[9];                    /* InsurerNumber: 6 or 8 digits */
	char symbol[HK_ELIG_IDENT_MAX + 1]; /* InsuredCardSymbol */
	char number[HK_ELIG_IDENT_MAX + 1]; /* InsuredIdentificationNumber */
	char branch[3];                     /* InsuredBranchNumber: 2 digits */
	int family;                         /* PersonalFamilyClassification: 1 本人, 2 家族, 0 absent */
	int preschool;                      /* PreschoolClassification = 1 */
	char birth[11];                     /* Birthdate */
	char valid_from[11];                /* InsuredCardValidDate */
	char valid_to[11];                  /* InsuredCardExpirationDate */
	char loss_reason[3];                /* ReasonOfLoss */
	int kouki_ratio;                    /* InsuredPartialContributionRatio ("010" = 10) */
	int elderly_ratio;                  /* ElderlyRecipientContributionRatio */
	char limit_class[4];                /* LimitApplicationCertificateClassificationFlag A01..A06, B01..B10 */
	char specific_disease[8];           /* SpecificDiseasesDiseaseCategory values, in order, e.g. "1" or "13" */
	/* derived by hk_elig_derive() */
	const char *kind;                   /* shaho | kokuho | kouki */
	const char *person;                 /* honnin | kazoku | mishuugaku | kourei | kourei7 */
	int ratio;                          /* patient share 10/20/30 */
};

/* Called once per result; return -1 (with err set) to stop the parse. */
typedef int (*hk_elig_result_fn)(void *ctx, struct hk_elig_result *r, struct hk_err *err);

/* Summary of one parsed file. */
struct hk_elig_file_info {
	long results;
	int charset;              /* as declared: 0 UTF-8, 1 Shift_JIS */
	char confirmed_on[11];
	char institution[11];
};

/* Parse a result file (path) or memory (name used in messages).  Errors name
 * the file and line and say what is wrong; code HK_EXIT_INPUT for rejected
 * input, HK_EXIT_IO when the file cannot be read. */
int hk_elig_parse_file(const char *path, hk_elig_result_fn fn, void *ctx,
		       struct hk_elig_file_info *info, struct hk_err *err);
int hk_elig_parse_memory(const char *name, const char *data, size_t len, hk_elig_result_fn fn, void *ctx,
			 struct hk_elig_file_info *info, struct hk_err *err);
/* True when the first bytes look like a 資格確認 result (an XML file whose
 * root element is XmlMsg): the sniffer `houkan ingest` uses. */
bool hk_elig_sniff(const char *head, size_t n);
/* How many times libxml2 asked to load an external entity since start-up
 * (the loader refuses them all; tests assert it stays 0). */
long hk_elig_entity_loads(void);

/* Fill kind/person/ratio from the result (DIGEST §3.5). -1 if inconsistent. */
int hk_elig_derive(struct hk_elig_result *r, struct hk_err *err);

/* ---- ingest ---- */

struct hk_elig_ingest_stats {
	long results;
	long matched;          /* linked to a patient (by 照会番号, else by 保険者番号+番号) */
	long unmatched;        /* kept with patient_id NULL; listed by the report */
	long cov_updated;      /* coverage refreshed (枝番, ratio, 限度額 ...) */
	long cov_added;        /* new coverage (insurer changed or first confirmation) */
	long cov_closed;       /* coverage ended (無効) */
	bool duplicate;        /* the same file (SHA-256) was ingested before: nothing done */
	char sha256[65];       /* of the file */
};

struct hk_elig_ingest;
int hk_elig_ingest_open(sqlite3 *db, struct hk_elig_ingest **out, struct hk_err *err);
void hk_elig_ingest_close(struct hk_elig_ingest *ig);
/* Ingest one result file in one transaction: all of it or nothing.  The file
 * is parsed on a second thread (started and joined within the call); only the
 * calling thread uses db. */
int hk_elig_ingest_file(struct hk_elig_ingest *ig, const char *path, struct hk_elig_ingest_stats *st,
			struct hk_err *err);

/* ---- requests ---- */

struct hk_elig_request_stats {
	int bulk_query;        /* 一括照会 entries */
	int consent_fetch;     /* 同意済資格情報一括取得 entries */
	int register_no;       /* 照会番号登録 entries */
	int consent_cancel;    /* 同意取消 entries */
	int skipped;           /* entries left out: a required value is missing */
	int files;             /* files written */
};
/* Write the month's request files into dir (created if missing; each file
 * published atomically).  month is "YYYY-MM". */
int hk_elig_write_requests(sqlite3 *db, const char *month, const char *dir,
			   struct hk_elig_request_stats *st, struct hk_err *err);
/* Layout names, for docs and tests. */
int hk_elig_layout_count(void);
const char *hk_elig_layout_name(int i);

/* ---- what the claim run calls ---- */

struct hk_elig_cov {
	long long coverage_id;
	char insurer[9];
	char symbol[HK_ELIG_IDENT_MAX + 1];
	char number[HK_ELIG_IDENT_MAX + 1];
	char branch[3];          /* SN 枝番: from the last confirmation with validity 1 ("" if none) */
	char kind[8];
	char person[12];
	int ratio;
	char limit_class[4];
	char specific_disease[8];
	bool confirmed;          /* a result with validity 1 in the date's month covers the date */
	char confirmed_on[11];   /* of that result ("" if not confirmed) */
};
/* The coverage of patient P valid on date D (YYYY-MM-DD): 1 found, 0 none, -1 error. */
int hk_elig_coverage_on(sqlite3 *db, long long patient_id, const char *date, struct hk_elig_cov *out,
			struct hk_err *err);

enum hk_visit_elig {
	HK_VISIT_CONFIRMED = 0,   /* valid coverage, confirmed online in the visit's month */
	HK_VISIT_UNCONFIRMED = 1, /* valid coverage, but no confirmation in that month */
	HK_VISIT_NO_COVERAGE = 2, /* no coverage valid on the visit date */
};
/* State of visit V, and whether the claim run must hold it back:
 * held = station.hold_unconfirmed and the visit has no valid coverage, where
 * "valid" needs a confirmation when station.online_elig is set. */
int hk_elig_visit_state(sqlite3 *db, long long visit_id, enum hk_visit_elig *state, bool *held,
			struct hk_err *err);
/* 訪問看護医療DX情報活用加算 is claimable only with online eligibility in operation. */
int hk_elig_dx_claimable(sqlite3 *db, bool *yes, struct hk_err *err);

/* ---- the month report ---- */

struct hk_elig_finding {
	const char *code;        /* insurer-changed, coverage-lost, ratio-changed, branch-changed,
				  * limit-changed, first-confirmation, not-found, multiple, unmatched,
				  * no-confirmation, no-coverage */
	bool clerk;              /* needs a clerk */
	char patient_key[64];    /* "" for unmatched results */
	char date[11];
	char detail[256];
};
typedef int (*hk_elig_finding_fn)(void *ctx, const struct hk_elig_finding *f, struct hk_err *err);
/* Calls fn for each finding of the month, in order (date, patient key, code). */
int hk_elig_report(sqlite3 *db, const char *month, hk_elig_finding_fn fn, void *ctx, struct hk_err *err);

#endif
