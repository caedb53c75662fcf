// Built for fuzzing (`scripts/fuzz.sh`: -sanitize=fuzzer -parse-as-library -DFUZZING) libFuzzer supplies `main`.
// Built as usual, this runs the fuzz target over the files given (a crash input to reproduce, or a corpus), or with
// `--seed-corpus FIXTURES CORPUS` writes the seed corpus made from the golden fixtures in Protocols/fixtures.
#if !FUZZING
@main
struct FuzzMain {
    static func main() {
        FuzzReplay.main(Array(CommandLine.arguments.dropFirst()))
    }
}
#endif
