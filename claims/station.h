/* station.h - the station row (one per database). */
#ifndef HK_STATION_H
#define HK_STATION_H
#include <sqlite3.h>
#include "base/hk.h"

struct hk_station {
	char code[16];        /* 訪問看護ステーションコード, 7 digits */
	char pref[8];         /* 都道府県 別表2 */
	char name[256];       /* UTF-8 */
	char phone[32];
	int mgmt_level;       /* 1,2,3 (3 = 機能強化型以外) */
	int mgmt_daily;       /* 管理療養費 2日目以降: 1 = イ, 2 = ロ */
	int online_elig;      /* オンライン資格確認 in operation */
	int special_area;     /* 特別地域 */
	int hold_unconfirmed; /* hold visits without valid coverage */
};

/* Validates every field; returns -1 with a message naming the field. */
int hk_station_validate(const struct hk_station *s, struct hk_err *err);
int hk_station_insert(sqlite3 *db, const struct hk_station *s, struct hk_err *err);
int hk_station_load(sqlite3 *db, struct hk_station *s, struct hk_err *err);
/* Record a 施設基準 the station has notified (master 施設基準コード, e.g. "1610"),
 * valid from `from` (YYYY-MM-DD) to `to` (NULL = open).  Idempotent. */
int hk_station_add_standard(sqlite3 *db, const char *code, const char *from, const char *to, struct hk_err *err);

#endif
