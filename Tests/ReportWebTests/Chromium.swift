import Foundation

/// Debian's `chromium`, headless: the DOM after the page ran, its console, screenshots.
enum Chromium {
    static var executable: String? {
        let candidates = [ProcessInfo.processInfo.environment["CHROMIUM"], "/usr/bin/chromium"].compactMap { $0 }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    struct Window {
        var width: Int
        var height: Int
        static let desktop = Window(width: 1280, height: 2000)
        static let phone = Window(width: 390, height: 844)
    }

    /// The serialised DOM of `url` after its scripts ran, and every console message or uncaught exception it logged.
    static func dumpDOM(_ url: String, window: Window = .desktop) throws -> (dom: String, console: [String]) {
        let output = try run(["--dump-dom", url], window: window)
        return (output.stdout, consoleLines(output.stderr))
    }

    /// A PNG of `url` as drawn in `window`.
    static func screenshot(_ url: String, to path: String, window: Window) throws -> [String] {
        let output = try run(["--screenshot=\(path)", "--hide-scrollbars", url], window: window)
        guard FileManager.default.fileExists(atPath: path) else { throw WebTestFailure("chromium wrote no screenshot: \(output.stderr.suffix(500))") }
        return consoleLines(output.stderr)
    }

    /// Console output in Chromium's log (`INFO:CONSOLE...] "message", source: URL`); the pages have no script of
    /// their own, so any line is a failed resource load, a CSP report or an exception.
    static func consoleLines(_ log: String) -> [String] {
        log.split(separator: "\n").map(String.init).filter { $0.contains(":CONSOLE") || $0.contains("Uncaught") }
    }

    private static func run(_ arguments: [String], window: Window) throws -> CommandOutput {
        guard let executable else { throw WebTestFailure("no chromium") }
        let profile = try WebFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: profile) }
        let output = try runProcess(executable, [
            "--headless", "--disable-gpu", "--no-sandbox", "--disable-dev-shm-usage", "--no-first-run",
            "--user-data-dir=\(profile.path)", "--enable-logging=stderr", "--v=0",
            "--window-size=\(window.width),\(window.height)",
        ] + arguments, timeout: 120)
        guard output.status == 0 else { throw WebTestFailure("chromium exited \(output.status): \(output.stderr.suffix(800))") }
        return output
    }
}

/// A test-only copy of a page with a script that writes into `<body>` what the tests cannot see in the markup:
/// the computed `direction` of every element whose direction the page leaves to its text (`bdi`, `dir="auto"`,
/// chart labels), keyed by the script of the text's first letter, and how far the page overflows the window
/// sideways.
enum DirectionProbe {
    static let script = """
        <script>(function(){
        var out=[];
        document.querySelectorAll('bdi,[dir=auto],svg text').forEach(function(e){
          var m=e.textContent.match(/[A-Za-z\\u00C0-\\u024F\\u0590-\\u08FF]/); if(!m) return;
          out.push((/[\\u0590-\\u08FF]/.test(m[0])?'ar':'latin')+':'+getComputedStyle(e).direction);
        });
        var b=document.body;
        b.setAttribute('data-directions',out.join(' '));
        b.setAttribute('data-root-direction',getComputedStyle(document.documentElement).direction);
        b.setAttribute('data-overflow',String(document.documentElement.scrollWidth-window.innerWidth));
        })();</script>
        """

    /// `html` with the probe before `</body>` and, for a served page, `<base href>` so its links still resolve.
    static func instrument(_ html: String, base: String? = nil) -> String {
        var page = html.replacingOccurrences(of: "</body>", with: script + "</body>")
        if let base { page = page.replacingOccurrences(of: "<head>", with: "<head><base href=\"\(base)\">") }
        return page
    }

    struct Reading {
        var arabic: [String]
        var latin: [String]
        var root: String
        var overflow: Int
    }

    static func read(_ dom: String) -> Reading? {
        guard let directions = attribute("data-directions", dom), let root = attribute("data-root-direction", dom),
              let overflow = attribute("data-overflow", dom).flatMap({ Int($0) }) else { return nil }
        let pairs = directions.split(separator: " ").map { $0.split(separator: ":").map(String.init) }.filter { $0.count == 2 }
        return Reading(arabic: pairs.filter { $0[0] == "ar" }.map { $0[1] }, latin: pairs.filter { $0[0] == "latin" }.map { $0[1] },
                       root: root, overflow: overflow)
    }

    private static func attribute(_ name: String, _ dom: String) -> String? {
        guard let start = dom.range(of: "\(name)=\"") else { return nil }
        let rest = dom[start.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }
}

/// The markup of `<section id="ID">` in `dom`, up to its end.
func section(_ id: String, in dom: String) -> String {
    guard let start = dom.range(of: "<section id=\"\(id)\">") else { return "" }
    let rest = dom[start.upperBound...]
    return String(rest[..<(rest.range(of: "</section>")?.lowerBound ?? rest.endIndex)])
}

func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }
