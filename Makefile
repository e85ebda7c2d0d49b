# Metering: two commands. `make run` starts the whole pipeline locally; `make test` runs every test.
# Both install what they need first (scripts/setup: Debian packages, librdkafka, NuGet restore) and
# skip what is already there.
.PHONY: setup build build-services run test test-unit lint bench-ingest bench-pipeline bench-query chaos clean

SERVICES := DevBroker Aggregator Ingest Query

DOTNET_TEST_FLAGS ?= --blame-hang-timeout 120s

setup:
	@scripts/setup

build: setup
	@dotnet build Metering.sln --no-restore --nologo --verbosity quiet

build-services: setup
	@for s in $(SERVICES); do dotnet build services/Metering.$$s --no-restore --nologo --verbosity quiet || exit 1; done

run: build-services
	@scripts/with-jemalloc scripts/run

test: build
	@scripts/test-report dotnet test Metering.sln --no-build --nologo $(DOTNET_TEST_FLAGS)

test-unit: build
	@dotnet test Metering.sln --no-build --nologo --filter "TestCategory!=Integration&TestCategory!=EndToEnd"

# Ingest throughput: gateway against a plain producer on the same broker (BENCH_ARGS="--events N --concurrency C --batch B --warmup S").
bench-ingest: setup
	@dotnet build tests/Metering.Ingest.Benchmarks -c Release --no-restore --nologo --verbosity quiet
	@scripts/with-jemalloc dotnet artifacts/bin/Metering.Ingest.Benchmarks/release/Metering.Ingest.Benchmarks.dll $(BENCH_ARGS)

# Pipeline throughput: one aggregator from start until its progress covers a preloaded topic, against kcat reading
# the same topic, plus the restart-to-caught-up time after a SIGKILL (BENCH_ARGS="--events N --duplicates F --partitions P").
bench-pipeline: setup
	@dotnet build tests/Metering.Pipeline.Benchmarks -c Release --no-restore --nologo --verbosity quiet
	@scripts/with-jemalloc dotnet artifacts/bin/Metering.Pipeline.Benchmarks/release/Metering.Pipeline.Benchmarks.dll $(BENCH_ARGS)

# Query latency: a month of rollups (about 14 M rows) in a private ClickHouse, p50/p99 of the monthly report, usage by day
# and subjects of one account through the query service (BENCH_ARGS="--accounts A --subjects S --days D --hours H --requests R --warmup W").
bench-query: setup
	@dotnet build tests/Metering.Query.Benchmarks -c Release --no-restore --nologo --verbosity quiet
	@scripts/with-jemalloc dotnet artifacts/bin/Metering.Query.Benchmarks/release/Metering.Query.Benchmarks.dll $(BENCH_ARGS)

# Exactly-once under chaos: 1,000,000 events through the gateway while the aggregator is killed at least 10 times and a
# second instance joins and leaves; ClickHouse against an independent oracle (CHAOS_ARGS="--events N --kills K ...").
chaos: setup
	@dotnet build tests/Metering.Chaos -c Release --no-restore --nologo --verbosity quiet
	@scripts/with-jemalloc dotnet artifacts/bin/Metering.Chaos/release/Metering.Chaos.dll $(CHAOS_ARGS)

lint: setup
	@dotnet format Metering.sln --verify-no-changes --no-restore

clean:
	rm -rf artifacts .cache/run .cache/test-clickhouse
