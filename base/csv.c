#include <string.h>
#include "base/csv.h"

void hk_csv_init(struct hk_csv *c, FILE *f, const char *name)
{
	memset(c, 0, sizeof(*c));
	c->f = f;
	c->name = name;
	c->next_line = 1;
	c->first = 1;
	hk_buf_init(&c->row, HK_MAX_CSV_LINE, "HK_MAX_CSV_LINE");
}

void hk_csv_free(struct hk_csv *c)
{
	hk_buf_free(&c->row);
}

int hk_csv_next(struct hk_csv *c, struct hk_err *err)
{
	size_t starts[HK_MAX_CSV_FIELDS];
	int ch, inq = 0, nf = 0, any = 0, after_quote = 0;
	hk_buf_reset(&c->row);
	c->line = c->next_line;
	starts[0] = 0;
	if (c->first) {
		int b1, b2, b3;
		c->first = 0;
		b1 = getc(c->f);
		if (b1 == 0xEF) {
			b2 = getc(c->f);
			b3 = getc(c->f);
			if (b2 != 0xBB || b3 != 0xBF)
				return hk_err_set(err, HK_EXIT_INPUT, "%s:1:1: not UTF-8 (bad byte order mark)", c->name);
		} else if (b1 != EOF) {
			ungetc(b1, c->f);
		}
	}
	for (;;) {
		ch = getc(c->f);
		if (ch == EOF) {
			if (inq)
				return hk_err_set(err, HK_EXIT_INPUT, "%s:%ld: unterminated quoted field", c->name, c->line);
			if (!any)
				return 0;
			break;
		}
		any = 1;
		if (inq) {
			if (ch == '"') {
				int nx = getc(c->f);
				if (nx == '"') {
					if (hk_buf_addc(&c->row, '"', err) < 0) goto toolong;
				} else {
					if (nx != EOF) ungetc(nx, c->f);
					inq = 0;
					after_quote = 1;
				}
			} else {
				if (ch == '\n') c->next_line++;
				if (hk_buf_addc(&c->row, (char)ch, err) < 0) goto toolong;
			}
			continue;
		}
		if (ch == '\r') {
			int nx = getc(c->f);
			if (nx != '\n' && nx != EOF) ungetc(nx, c->f);
			c->next_line++;
			break;
		}
		if (ch == '\n') {
			c->next_line++;
			break;
		}
		if (ch == ',') {
			if (hk_buf_addc(&c->row, '\0', err) < 0) goto toolong;
			if (++nf >= HK_MAX_CSV_FIELDS)
				return hk_err_set(err, HK_EXIT_INPUT, "%s:%ld: more than %d columns (HK_MAX_CSV_FIELDS)",
						  c->name, c->line, HK_MAX_CSV_FIELDS);
			starts[nf] = c->row.len;
			after_quote = 0;
			continue;
		}
		if (ch == '"') {
			if (c->row.len != starts[nf] || after_quote)
				return hk_err_set(err, HK_EXIT_INPUT, "%s:%ld:%d: stray quote inside a field",
						  c->name, c->line, nf + 1);
			inq = 1;
			continue;
		}
		if (after_quote)
			return hk_err_set(err, HK_EXIT_INPUT, "%s:%ld:%d: text after a closing quote",
					  c->name, c->line, nf + 1);
		if (hk_buf_addc(&c->row, (char)ch, err) < 0) goto toolong;
	}
	if (hk_buf_addc(&c->row, '\0', err) < 0) goto toolong;
	nf++;
	c->nfields = nf;
	for (int i = 0; i < nf; i++) {
		c->fields[i] = c->row.data + starts[i];
		c->lens[i] = (i + 1 < nf ? starts[i + 1] - 1 : c->row.len - 1) - starts[i];
	}
	return 1;
toolong:
	return hk_err_set(err, HK_EXIT_INPUT, "%s:%ld: line longer than %d bytes (HK_MAX_CSV_LINE)",
			  c->name, c->line, HK_MAX_CSV_LINE);
}

size_t hk_utf8_encode(unsigned long cp, char s[4])
{
	if (cp < 0x80) {
		s[0] = (char)cp;
		return 1;
	} else if (cp < 0x800) {
		s[0] = (char)(0xC0 | (cp >> 6));
		s[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	} else if (cp < 0x10000) {
		s[0] = (char)(0xE0 | (cp >> 12));
		s[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		s[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	s[0] = (char)(0xF0 | (cp >> 18));
	s[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	s[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	s[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

bool hk_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *e = p + n;
	while (p < e) {
		unsigned c = *p;
		if (c < 0x80) { p++; continue; }
		if (c >= 0xC2 && c <= 0xDF) {
			if (e - p < 2 || (p[1] & 0xC0) != 0x80) return false;
			p += 2;
		} else if (c >= 0xE0 && c <= 0xEF) {
			if (e - p < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80) return false;
			if (c == 0xE0 && p[1] < 0xA0) return false;
			if (c == 0xED && p[1] >= 0xA0) return false;
			p += 3;
		} else if (c >= 0xF0 && c <= 0xF4) {
			if (e - p < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
				return false;
			if (c == 0xF0 && p[1] < 0x90) return false;
			if (c == 0xF4 && p[1] >= 0x90) return false;
			p += 4;
		} else {
			return false;
		}
	}
	return true;
}
