fn main() -> std::process::ExitCode {
    kefu::cli::main()
}
