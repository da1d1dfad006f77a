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

.PHONY: all build web demo test deps browser clickhouse chdb lint bench bench-clickhouse fuzz clean

all: build

build: deps web
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/callscope

# The web UI: TypeScript in web/src, checked by tsc and bundled by esbuild
# (both from npm, versions locked in web/package-lock.json) into
# internal/web/dist/app.js, which the binary embeds.
web: web/node_modules/.package-lock.json
	cd web && npm run --silent check && npm run --silent build

web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	@command -v npm >/dev/null || { echo "npm is required for the web UI (Debian: apt-get install -y npm)"; exit 1; }
	cd web && npm ci --no-audit --no-fund

# Starts callscope on a fresh temporary workspace that the simulator fills:
# a day of calls, then live calls. UI and API on http://127.0.0.1:8080.
demo: build
	./$(BIN) demo

# Installs what the tests need, then runs them all. Screenshots of the
# browser tests land in test-output/.
test: deps web browser clickhouse chdb lint
	mkdir -p test-output
	$(GO) test -count=1 -artifacts -outputdir=$(CURDIR)/test-output ./...
	CHDB_LIB_PATH=$(CURDIR)/$(CHDB_DIR)/libchdb.so $(GO) test -count=1 -tags chdb ./internal/clickhouse/chdb/
	CHDB_LIB_PATH=$(CURDIR)/$(CHDB_DIR)/libchdb.so $(GO) test -count=1 -tags chdb -run 'OnCurrent' ./internal/store/clickhouse/ ./internal/query/
	$(GO) test -count=1 -race $(RACE_PKGS)

deps:
	@command -v $(GO) >/dev/null || { echo "Go is required (https://go.dev/dl/)"; exit 1; }
	$(GO) mod download

# Debian's Chromium, which the browser tests drive.
# The web UI is tested in Chromium (chromedp) and Firefox (WebDriver BiDi).
browser:
	@test -x /usr/bin/chromium -a -x /usr/bin/firefox-esr || { \
		echo "installing Debian's chromium and firefox-esr for the browser tests"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update && $$SUDO apt-get install -y chromium firefox-esr; }

# Debian's ClickHouse server (an old release, 18.16) for the ClickHouse
# store's tests, which start their own servers on free ports of 127.0.0.1.
clickhouse:
	@test -x /usr/sbin/clickhouse-server || { \
		echo "installing Debian's clickhouse-server for the ClickHouse tests"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update && $$SUDO apt-get install -y clickhouse-server; }

# chdb: a current ClickHouse release built as a library, for the tests of
# internal/clickhouse/chdb (go test -tags chdb, with CHDB_LIB_PATH set to
# $(CURDIR)/$(CHDB_DIR)/libchdb.so). Only libchdb.so is kept from the npm
# package, in .cache/ (not committed); about 180 MB to fetch, 570 MB on disk.
CHDB_VERSION := 26.7.3-stable.1
CHDB_DIR     := .cache/chdb

chdb:
	@test -f $(CHDB_DIR)/libchdb.so || { \
		command -v npm >/dev/null || { echo "npm is required to fetch chdb (Debian: apt-get install -y npm)"; exit 1; }; \
		echo "fetching libchdb.so from the npm package @chdb/lib-linux-x64-gnu@$(CHDB_VERSION) (about 180 MB) into $(CHDB_DIR)/"; \
		rm -rf $(CHDB_DIR)/fetch && mkdir -p $(CHDB_DIR)/fetch && \
		npm pack --silent --pack-destination $(CHDB_DIR)/fetch @chdb/lib-linux-x64-gnu@$(CHDB_VERSION) >/dev/null && \
		tar -xzf $(CHDB_DIR)/fetch/*.tgz -C $(CHDB_DIR)/fetch package/libchdb.so && \
		mv $(CHDB_DIR)/fetch/package/libchdb.so $(CHDB_DIR)/libchdb.so && \
		rm -rf $(CHDB_DIR)/fetch; }

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags chdb ./internal/clickhouse/chdb/ ./internal/store/clickhouse/ ./internal/query/

# DESIGN §8: ingest 2M records of the simulator's mix over HTTP and compare
# with DuckDB's own read_json load of the same file, in one run; then time
# the Insights panel queries in KQL against hand-written SQL on a 10M-row
# dataset (built once into callscope-bench/, reused afterwards).
bench: build browser
	./$(BIN) bench ingest --profile bench-ingest.prof
	./$(BIN) bench query --dir callscope-bench
	./$(BIN) bench calls --dir callscope-bench
	$(GO) test -run '^$$' -bench UIPages -benchtime 5x ./cmd/callscope/

# The same benchmarks with callscope on ClickHouse beside DuckDB, on a
# throwaway Debian clickhouse-server started in the work folder (use
# `callscope bench … --store clickhouse://host:8123/prefix` for your own).
bench-clickhouse: build clickhouse
	./$(BIN) bench ingest --clickhouse-server
	./$(BIN) bench query --dir callscope-bench --clickhouse-server
	./$(BIN) bench calls --dir callscope-bench --clickhouse-server --calls 50 --runs 3

# A longer run of the fuzz targets than the seed corpus run in make test.
fuzz:
	$(GO) test -run XXX -fuzz FuzzDecode -fuzztime 60s ./internal/decode/
	$(GO) test -run XXX -fuzz FuzzSplit -fuzztime 60s ./internal/decode/
	$(GO) test -run XXX -fuzz FuzzCompile -fuzztime 60s ./internal/kql/

clean:
	rm -rf bin bench-ingest.prof callscope-bench test-output web/node_modules internal/web/dist/app.js
