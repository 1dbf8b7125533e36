#include <stdio.h>
#include <unistd.h>
#include "base/progress.h"

void hk_progress_start(struct hk_progress *p, const char *what, long total)
{
	p->what = what;
	p->total = total;
	p->done = 0;
	p->last_pct = -1;
	p->tty = isatty(STDERR_FILENO);
}

void hk_progress_step(struct hk_progress *p, long n)
{
	long pct;
	p->done += n;
	if (!p->tty || p->total <= 0)
		return;
	pct = p->done * 100 / p->total;
	if (pct != p->last_pct) {
		p->last_pct = pct;
		fprintf(stderr, "\r%s: %ld%% (%ld/%ld)", p->what, pct, p->done, p->total);
	}
}

void hk_progress_end(struct hk_progress *p)
{
	if (p->tty && p->last_pct >= 0)
		fprintf(stderr, "\r%s: done (%ld)          \n", p->what, p->done);
}
