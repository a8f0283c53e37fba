// glibc's malloc keeps a heap per thread and holds on to freed memory, most of all
// the 19 MiB of every password hash: under load its footprint was three times the
// live heap (docs/benchmarks.md). mimalloc returns free pages to the system.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    kefu::cli::main()
}
