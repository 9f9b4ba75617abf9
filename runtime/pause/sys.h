/* The few system calls and string helpers podagent-pause uses, without a C library: pause links
 * nothing (-nostdlib), so its whole program is a few pages and each pause's RSS stays a few
 * dozen KiB. x86_64 and aarch64 only; another architecture fails to compile here.
 * Every call returns the kernel's result: a negative errno on failure (no errno variable). */
#pragma once

#include <stddef.h>

long sys_call6(long nr, long a, long b, long c, long d, long e, long f);
#define SYS0(nr) sys_call6((nr), 0, 0, 0, 0, 0, 0)
#define SYS1(nr, a) sys_call6((nr), (long)(a), 0, 0, 0, 0, 0)
#define SYS2(nr, a, b) sys_call6((nr), (long)(a), (long)(b), 0, 0, 0, 0)
#define SYS3(nr, a, b, c) sys_call6((nr), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define SYS4(nr, a, b, c, d) sys_call6((nr), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define SYS5(nr, a, b, c, d, e) sys_call6((nr), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)

__attribute__((noreturn)) void sys_exit(int code);

size_t str_len(const char* s);
int str_eq(const char* a, const char* b);
const char* str_chr(const char* s, char c);
int str_has(const char* haystack, const char* needle);
int str_ends(const char* s, const char* suffix);
/* Decimal, for --ready-fd; -1 for anything that is not a plain non-negative number. */
int parse_fd(const char* s);
/* The name of an errno value ("No such file or directory"), or "error" for an unlisted one. */
const char* errno_text(int err);

/* The compiler may call these itself (struct copies, zeroing). */
void* memset(void* d, int c, size_t n);
void* memcpy(void* d, const void* s, size_t n);
