/* progress.h - progress on stderr only when stderr is a terminal. */
#ifndef HK_PROGRESS_H
#define HK_PROGRESS_H
struct hk_progress { const char *what; long total; long done; int tty; long last_pct; };
void hk_progress_start(struct hk_progress *p, const char *what, long total);
void hk_progress_step(struct hk_progress *p, long n);
void hk_progress_end(struct hk_progress *p);
#endif
