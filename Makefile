# callscope — make demo, make test, make bench.
#
# Everything the targets need comes from the Go module proxy (and, for later
# parts, Debian packages and npm); nothing is fetched from anywhere else.

GO       ?= go
BIN      := bin/callscope
VERSION  := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -X github.com/callscope/callscope/internal/cli.Version=$(VERSION)
# Packages that do not link DuckDB, checked with the race detector (the
# DuckDB ones are exercised under load by the end-to-end tests instead).
RACE_PKGS := ./internal/decode/... ./internal/schema/... ./internal/simulate/... ./internal/report/... ./internal/workspace/... ./internal/callmetrics/... ./internal/kql/...

.PHONY: all build demo test deps lint bench fuzz clean

all: build

build: deps
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/callscope

# Starts callscope on a fresh temporary workspace that the simulator fills:
# a day of calls, then live calls. UI and API on http://127.0.0.1:8080.
demo: build
	./$(BIN) demo

# Installs what the tests need, then runs them all.
test: deps lint
	$(GO) test -count=1 ./...
	$(GO) test -count=1 -race $(RACE_PKGS)

deps:
	@command -v $(GO) >/dev/null || { echo "Go is required (https://go.dev/dl/)"; exit 1; }
	$(GO) mod download

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

# DESIGN §8: ingest 2M records of the simulator's mix over HTTP and compare
# with DuckDB's own read_json load of the same file, in one run; then time
# the Insights panel queries in KQL against hand-written SQL on a 10M-row
# dataset (built once into callscope-bench/, reused afterwards).
bench: build
	./$(BIN) bench ingest --profile bench-ingest.prof
	./$(BIN) bench query --dir callscope-bench
	./$(BIN) bench calls --dir callscope-bench

# A longer run of the fuzz targets than the seed corpus run in make test.
fuzz:
	$(GO) test -run XXX -fuzz FuzzDecode -fuzztime 60s ./internal/decode/
	$(GO) test -run XXX -fuzz FuzzSplit -fuzztime 60s ./internal/decode/
	$(GO) test -run XXX -fuzz FuzzCompile -fuzztime 60s ./internal/kql/

clean:
	rm -rf bin bench-ingest.prof callscope-bench
