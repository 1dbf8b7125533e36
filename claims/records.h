/*
 * records.h - insert-or-update of the station's own records (patients,
 * coverages, 公費, instructions, visits), shared by `houkan import`,
 * `houkan gen` and whoever else writes them.
 *
 * Each table is described as data (claims/records.c): its columns, in the
 * order of the enums below, the first HK_*_NKEY of which form the natural
 * key.  A caller fills an array of struct hk_val indexed by those enums and
 * calls hk_rec_put(), which
 *   - inserts the row when no row has that natural key (HK_PUT_ADDED),
 *   - updates it in place when some column differs (HK_PUT_UPDATED),
 *   - leaves it alone when every column is equal (HK_PUT_UNCHANGED).
 * Statements are prepared once per struct hk_records; the caller owns the
 * transaction.  Values are compared with SQL "IS", so NULL equals NULL.
 */
#ifndef HK_RECORDS_H
#define HK_RECORDS_H
#include <sqlite3.h>
#include "base/hk.h"

enum hk_val_type { HK_V_NULL = 0, HK_V_INT, HK_V_TEXT };

struct hk_val {
	enum hk_val_type t;
	long long i;      /* HK_V_INT */
	const char *s;    /* HK_V_TEXT; not copied, must live until hk_rec_put returns */
};

static inline struct hk_val hk_vnull(void) { struct hk_val v = {HK_V_NULL, 0, NULL}; return v; }
static inline struct hk_val hk_vint(long long i) { struct hk_val v = {HK_V_INT, i, NULL}; return v; }
/* NULL or "" becomes SQL NULL. */
static inline struct hk_val hk_vtext(const char *s)
{
	struct hk_val v = {s && *s ? HK_V_TEXT : HK_V_NULL, 0, s && *s ? s : NULL};
	return v;
}

enum hk_rec_table { HK_T_PATIENT, HK_T_COVERAGE, HK_T_PUBLIC, HK_T_INSTRUCTION, HK_T_VISIT, HK_T__N };

/* patient: natural key patient_key */
enum { HK_PAT_KEY, HK_PAT_NAME, HK_PAT_KANA, HK_PAT_SEX, HK_PAT_BIRTH, HK_PAT_VISIT_START, HK_PAT_PLACE,
       HK_PAT_PLACE_TEXT, HK_PAT_END_DATE, HK_PAT_END_TIME, HK_PAT_END_REASON, HK_PAT_END_TEXT,
       HK_PAT_DEATH_DATE, HK_PAT_DEATH_TIME, HK_PAT_DEATH_PLACE, HK_PAT_DEATH_TEXT, HK_PAT_GAF,
       HK_PAT_GAF_DATE, HK_PAT_CONSENT_24H, HK_PAT__N };
#define HK_PAT_NKEY 1
/* coverage (医療保険): natural key (patient_id, insurer, number, valid_from) */
enum { HK_COV_PATIENT, HK_COV_INSURER, HK_COV_NUMBER, HK_COV_VALID_FROM, HK_COV_SYMBOL, HK_COV_BRANCH,
       HK_COV_KIND, HK_COV_PERSON, HK_COV_RATIO, HK_COV_LIMIT_CLASS, HK_COV_KOUGAKU, HK_COV_DUTY,
       HK_COV_VALID_TO, HK_COV_SOURCE, HK_COV__N };
#define HK_COV_NKEY 4
/* public_coverage (公費): natural key (patient_id, payer, valid_from) */
enum { HK_PUB_PATIENT, HK_PUB_PAYER, HK_PUB_VALID_FROM, HK_PUB_RECIPIENT, HK_PUB_MONTHLY_CAP,
       HK_PUB_VALID_TO, HK_PUB__N };
#define HK_PUB_NKEY 3
/* instruction (指示書): natural key (patient_id, kind, valid_from) */
enum { HK_INS_PATIENT, HK_INS_KIND, HK_INS_VALID_FROM, HK_INS_VALID_TO, HK_INS_INST_PREF, HK_INS_INST_TABLE,
       HK_INS_INST_CODE, HK_INS_INST_NAME, HK_INS_DOCTOR, HK_INS_LAST_REPORT, HK_INS_DISEASE_CODE,
       HK_INS_DISEASE_NAME, HK_INS_CONDITION, HK_INS_DISEASE_FLAG, HK_INS_DISEASES, HK_INS__N };
#define HK_INS_NKEY 3
/* visit: natural key (patient_id, date, start_time) */
enum { HK_VIS_PATIENT, HK_VIS_DATE, HK_VIS_START, HK_VIS_END, HK_VIS_STAFF, HK_VIS_STAFF2, HK_VIS_INST_KIND,
       HK_VIS_EMERGENCY, HK_VIS_LONG, HK_VIS_MULTI, HK_VIS_TERMINAL, HK_VIS_SPECIAL_MGMT, HK_VIS_ITEMS,
       HK_VIS_BUILDING_COUNT, HK_VIS_OUTING, HK_VIS_SPECIALIST, HK_VIS__N };
#define HK_VIS_NKEY 3

#define HK_REC_MAX_COLS 20

enum hk_put_result { HK_PUT_ADDED, HK_PUT_UPDATED, HK_PUT_UNCHANGED };

struct hk_records;

int hk_records_open(sqlite3 *db, struct hk_records **out, struct hk_err *err);
void hk_records_close(struct hk_records *r);

/* Table name and column count, for messages and tests. */
const char *hk_rec_table_name(enum hk_rec_table t);
int hk_rec_ncols(enum hk_rec_table t);
const char *hk_rec_col_name(enum hk_rec_table t, int col);

/* Inserts or updates one row (see above); *id (if non-NULL) receives its rowid. */
int hk_rec_put(struct hk_records *r, enum hk_rec_table t, const struct hk_val *vals,
	       long long *id, enum hk_put_result *res, struct hk_err *err);
/* Plain insert, for a caller that knows the key is new (gen into a fresh
 * database); fails on a duplicate key. */
int hk_rec_insert(struct hk_records *r, enum hk_rec_table t, const struct hk_val *vals,
		  long long *id, struct hk_err *err);

/* The rowid of patient_key: 1 found, 0 not found, -1 error. */
int hk_patient_lookup(struct hk_records *r, const char *patient_key, long long *id, struct hk_err *err);

#endif
