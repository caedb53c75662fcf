// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "Mirsad",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "mirsad", targets: ["mirsad"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-algorithms", from: "1.2.1"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.0.0" ..< "5.0.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // MARK: C libraries from the system
        .systemLibrary(
            name: "CZeroMQ",
            pkgConfig: "libzmq",
            providers: [.apt(["libzmq3-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        /// libdeflate: whole-buffer DEFLATE in the zlib format, in two fifths of the CPU of zlib's own `compress2`
        /// on an analysis, and smaller (`Zlib`).
        .systemLibrary(
            name: "CLibdeflate",
            pkgConfig: "libdeflate",
            providers: [.apt(["libdeflate-dev"])]
        ),
        /// zstd with a dictionary trained on news analyses: analyses a sixth smaller than DEFLATE makes them, in
        /// less CPU (`Zstd`).
        .systemLibrary(
            name: "CZstd",
            pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev"])]
        ),

        // MARK: Layers
        /// ZeroMQ binding: synchronous sockets, one owner per socket.
        .target(name: "ZeroMQ", dependencies: ["CZeroMQ"]),
        /// A prefetch hint for the recognizer's weight table (Swift has none of its own).
        .target(name: "CMemoryHints"),
        /// The analysis core: pure Swift, no I/O.
        .target(
            name: "ArticleAnalysis",
            dependencies: ["CMemoryHints"],
            resources: [.copy("Resources")]
        ),
        /// `Analysis` as JSON text, written directly (Foundation's encoder is the reference it is tested against).
        .target(name: "AnalysisJSON", dependencies: ["ArticleAnalysis"]),
        /// Reading articles from files, directories, JSON Lines (plain or gzip) and stdin.
        .target(name: "ArticleIngest", dependencies: ["ArticleAnalysis", "CZlib"]),
        /// The wire: generated protobuf, the frame codec, limits, conversions between wire and analysis types, and
        /// the pass-through readers of encoded jobs and results.
        .target(
            name: "MirsadWire",
            dependencies: [
                "ArticleAnalysis", "CLibdeflate", "CZstd",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            resources: [.copy("Resources")]
        ),
        /// The pure core: every protocol role's state machine (dispatcher, dispatcher link, worker, collector's
        /// stored notices, producer credit, worker supervisor), the job journal interface, time, and the security
        /// decisions (roles of keys, lease tokens). No I/O.
        .target(
            name: "MirsadCore",
            dependencies: [
                "MirsadWire", "ArticleAnalysis",
                .product(name: "Algorithms", package: "swift-algorithms"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        /// The report store behind an interface; SQLite (GRDB) and PostgreSQL (postgres-nio) implementations.
        /// Analyses are kept in their wire encoding (`MirsadWire`).
        .target(
            name: "ReportStore",
            dependencies: [
                "ArticleAnalysis", "MirsadWire",
                .product(name: "Algorithms", package: "swift-algorithms"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "GRDB", package: "GRDB.swift"),
                // SQLite's C interface, for the statements run once per result (`DirectStatement`).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        /// The report's pages as HTML (inline CSS and SVG) and its tables as text and CSV, from report query results:
        /// one renderer for the static report and for a server.
        .target(name: "ReportViews", dependencies: ["ReportStore", "ArticleAnalysis"]),
        /// The dispatcher's durable job journal (SQLite, GRDB) behind `MirsadCore.JobJournal`.
        .target(
            name: "DispatcherJournal",
            dependencies: [
                "MirsadCore", "MirsadWire",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        /// The worker's crash handler (async-signal-safe, so in C) and parent-death signal.
        .target(name: "CWorkerCrash"),
        /// Dispatcher, worker, collector and producer: thin socket loops around the state machines.
        .target(
            name: "MirsadServices",
            dependencies: [
                "ZeroMQ", "MirsadCore", "MirsadWire", "ReportStore", "DispatcherJournal", "ArticleAnalysis", "ArticleIngest",
                "CWorkerCrash",
                .product(name: "Algorithms", package: "swift-algorithms"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "OrderedCollections", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Subprocess", package: "swift-subprocess"),
            ]
        ),
        /// `mirsad web`: the report's pages served live from the store over HTTP (Hummingbird), with the cluster's status.
        .target(
            name: "ReportWeb",
            dependencies: [
                "ReportStore", "ReportViews", "MirsadServices", "ArticleAnalysis",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        /// Prometheus metrics of every service: swift-metrics objects backed by a swift-prometheus registry, fed by
        /// the services' observer hooks and status snapshots, served over HTTP (Hummingbird) on `--metrics`.
        .target(
            name: "MirsadMetrics",
            dependencies: [
                "MirsadServices", "MirsadCore", "MirsadWire",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        /// The one configuration file of every role (YAML, through Yams), with `MIRSAD_...` environment overrides,
        /// and its checker (`mirsad config check`).
        .target(
            name: "MirsadConfig",
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),
        /// The command line.
        .executableTarget(
            name: "mirsad",
            dependencies: [
                "MirsadServices", "ArticleAnalysis", "AnalysisJSON", "ArticleIngest", "ReportStore", "ReportViews",
                "ReportWeb", "MirsadCore", "MirsadWire", "MirsadMetrics", "MirsadConfig",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        /// The coverage-guided fuzz target over the frame codec and the dispatcher's state machine (libFuzzer, via
        /// `scripts/fuzz.sh`); built as usual it replays inputs and writes the seed corpus.
        .executableTarget(name: "mirsad-fuzz", dependencies: ["MirsadWire", "MirsadCore"], path: "Sources/MirsadFuzz"),

        // MARK: Tests
        /// What tests share: the PostgreSQL server's URL, fresh stores and the skip trait; and ways for a test that
        /// blocks to do it without holding a thread of the cooperative pool.
        .target(name: "TestSupport", dependencies: ["ReportStore"], path: "Tests/TestSupport"),
        .testTarget(name: "ZeroMQTests", dependencies: ["ZeroMQ"]),
        .testTarget(name: "ArticleAnalysisTests", dependencies: ["ArticleAnalysis", "TestSupport"]),
        .testTarget(name: "AnalysisJSONTests", dependencies: ["AnalysisJSON", "ArticleAnalysis"]),
        .testTarget(name: "ArticleIngestTests", dependencies: ["ArticleIngest"]),
        .testTarget(
            name: "MirsadProtocolTests",
            dependencies: [
                "MirsadCore", "MirsadWire", "CZlib", "CZstd", "ArticleAnalysis",
                .product(name: "Algorithms", package: "swift-algorithms"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        .testTarget(
            name: "ReportStoreTests",
            dependencies: ["ReportStore", "MirsadWire", "TestSupport", .product(name: "PostgresNIO", package: "postgres-nio")]
        ),
        .testTarget(name: "ReportCommandTests", dependencies: ["mirsad", "ReportStore", "ReportViews", "TestSupport"]),
        /// Served pages over real HTTP and both the static report and the served pages in headless Chromium.
        .testTarget(name: "ReportWebTests", dependencies: ["mirsad", "ReportStore", "ReportViews", "ReportWeb", "TestSupport"]),
        .testTarget(name: "DispatcherJournalTests", dependencies: ["DispatcherJournal", "MirsadCore", "MirsadWire", "TestSupport"]),
        .testTarget(
            name: "MirsadServicesTests",
            dependencies: [
                "MirsadServices", "MirsadCore", "MirsadWire", "TestSupport",
                .product(name: "Algorithms", package: "swift-algorithms"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(name: "CommandLineTests", dependencies: ["mirsad", "MirsadServices", "MirsadCore", "MirsadWire"]),
        .testTarget(name: "MirsadConfigTests", dependencies: ["MirsadConfig"]),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "mirsad", "MirsadServices", "MirsadCore", "MirsadWire", "ReportStore", "DispatcherJournal", "ZeroMQ", "TestSupport",
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
    ]
)
