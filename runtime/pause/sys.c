/* podagent-pause's own start-up, system call entry and string helpers (see sys.h). */
#include "sys.h"

#include <errno.h>
#include <sys/syscall.h>

#if defined(__x86_64__)
long sys_call6(long nr, long a, long b, long c, long d, long e, long f) {
  register long r10 __asm__("r10") = d;
  register long r8 __asm__("r8") = e;
  register long r9 __asm__("r9") = f;
  long ret;
  __asm__ volatile("syscall"
                   : "=a"(ret)
                   : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                   : "rcx", "r11", "memory");
  return ret;
}
/* The kernel enters at _start with argc at the stack pointer, argv after it. */
__asm__(
    ".text\n.global _start\n_start:\n"
    "  xor %ebp, %ebp\n  mov %rsp, %rdi\n  and $-16, %rsp\n  call pause_main\n  hlt\n");
#elif defined(__aarch64__)
long sys_call6(long nr, long a, long b, long c, long d, long e, long f) {
  register long x8 __asm__("x8") = nr;
  register long x0 __asm__("x0") = a;
  register long x1 __asm__("x1") = b;
  register long x2 __asm__("x2") = c;
  register long x3 __asm__("x3") = d;
  register long x4 __asm__("x4") = e;
  register long x5 __asm__("x5") = f;
  __asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5) : "memory");
  return x0;
}
__asm__(".text\n.global _start\n_start:\n  mov x0, sp\n  bl pause_main\n  brk #0\n");
#else
#error "podagent-pause: no system call entry for this architecture (x86_64 and aarch64 only)"
#endif

void sys_exit(int code) {
  for (;;) SYS1(SYS_exit_group, code);
}

size_t str_len(const char* s) {
  size_t n = 0;
  while (s[n] != '\0') ++n;
  return n;
}

int str_eq(const char* a, const char* b) {
  while (*a != '\0' && *a == *b) ++a, ++b;
  return *a == *b;
}

const char* str_chr(const char* s, char c) {
  for (; *s != '\0'; ++s) {
    if (*s == c) return s;
  }
  return NULL;
}

int str_has(const char* haystack, const char* needle) {
  size_t n = str_len(needle);
  for (; *haystack != '\0'; ++haystack) {
    size_t i = 0;
    while (i < n && haystack[i] == needle[i]) ++i;
    if (i == n) return 1;
  }
  return n == 0;
}

int str_ends(const char* s, const char* suffix) {
  size_t a = str_len(s), b = str_len(suffix);
  return a >= b && str_eq(s + a - b, suffix);
}

int parse_fd(const char* s) {
  long v = 0;
  if (*s == '\0') return -1;
  for (; *s != '\0'; ++s) {
    if (*s < '0' || *s > '9' || v > 100000000) return -1;
    v = v * 10 + (*s - '0');
  }
  return (int)v;
}

const char* errno_text(int err) {
  static const struct {
    int err;
    const char* text;
  } known[] = {
      {EPERM, "Operation not permitted"},   {ENOENT, "No such file or directory"},
      {EIO, "Input/output error"},          {EBADF, "Bad file descriptor"},
      {ENOMEM, "Cannot allocate memory"},   {EACCES, "Permission denied"},
      {EBUSY, "Device or resource busy"},   {EEXIST, "File exists"},
      {ENODEV, "No such device"},           {ENOTDIR, "Not a directory"},
      {EINVAL, "Invalid argument"},         {ENOSPC, "No space left on device"},
      {EROFS, "Read-only file system"},     {ERANGE, "Numerical result out of range"},
      {ENAMETOOLONG, "File name too long"}, {ENOSYS, "Function not implemented"},
      {ESRCH, "No such process"},           {EAFNOSUPPORT, "Address family not supported by protocol"},
  };
  for (size_t i = 0; i < sizeof known / sizeof known[0]; ++i) {
    if (known[i].err == err) return known[i].text;
  }
  return "error";
}

void* memset(void* d, int c, size_t n) {
  unsigned char* p = d;
  while (n-- > 0) *p++ = (unsigned char)c;
  return d;
}

void* memcpy(void* d, const void* s, size_t n) {
  unsigned char* p = d;
  const unsigned char* q = s;
  while (n-- > 0) *p++ = *q++;
  return d;
}
