/*
 * master_fixture.h - synthetic master revisions for unit tests: a copy of
 * the official files (data/master/20240601) in the test's scratch directory,
 * edited byte-wise by the test (the edits touch only ASCII, which CP932
 * leaves as is).
 */
#ifndef HK_TEST_MASTER_FIXTURE_H
#define HK_TEST_MASTER_FIXTURE_H
#include "master/master.h"

#define HK_TEST_OFFICIAL_MASTER "data/master/20240601"

/* A fresh revision directory ROOT/DATE (ROOT inside the scratch directory)
 * holding a copy of the official files; NULL on failure.  The returned
 * string is overwritten by the next call. */
const char *hk_test_master_rev(const char *root, const char *date);
/* Appends raw bytes to DIR/table's file (0 or -1). */
int hk_test_master_append(const char *dir, enum hk_master_table t, const char *text);
/* Appends to DIR's 基本テーブル a second row for 510002470 (緊急訪問看護加算,
 * 2650 yen in the official row) of 2700 yen, valid from FROM (YYYYMMDD) on
 * (0 or -1). */
int hk_test_master_append_kinkyu_2700(const char *dir, const char *from);
#endif
