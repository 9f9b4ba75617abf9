#pragma once
// Hands back the page-table mappings of a process's program image (and, for the daemon, of its
// shared libraries) once the code that ran at start-up is no longer needed.
//
// Start-up code (parsing, set-up, recovery) stays mapped and counted in a process's RSS although
// those pages are the page cache of files every such process shares. ReleaseImagePages drops the
// mappings of the read-only PT_LOAD segments (text, rodata) with MADV_DONTNEED and returns free
// heap with malloc_trim. A page touched again is mapped again from the same file, so nothing is
// lost; only what the process keeps using stays in its RSS. Never touched: writable and RELRO
// segments (their pages may be private copies), objects with text relocations, the vDSO, and any
// mapping /proc/self/smaps shows with anonymous (copied-on-write) pages, such as a page holding a
// debugger's or a uprobe's breakpoint. Without a readable /proc/self/smaps nothing is released.
//
//   podagent-shim: once, just before its supervisor loop first sleeps (kProgram).
//   podagent:      once the CRI socket serves and recovery is done (kProgramAndLibraries).
//                  The daemon binds every library symbol while it starts (agent/main.cc,
//                  BindSymbolsAtStart): with lazy binding, ld.so would map the libraries' symbol
//                  tables back at the first call of each library function.

namespace podagent {

enum class ImageScope { kProgram, kProgramAndLibraries };

// Returns the number of bytes advised away, for logs and tests.
long ReleaseImagePages(ImageScope scope);

}  // namespace podagent
