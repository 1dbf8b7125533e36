#ifndef HK_SCHEMA_H
#define HK_SCHEMA_H
/* Number of migrations; migration v (1-based) takes user_version v-1 to v. */
int hk_schema_count(void);
const char *hk_schema_migration(int version);
#endif
