# Tether — build, test and demo targets. `make demo` and `make test` are the
# two commands a newcomer needs; both install missing system packages first.

GO        ?= go
BIN       ?= bin
FUZZTIME  ?= 30s
# Packages tested with the race detector: everything without heavy cgo/GL.
RACE_PKGS  = $(shell $(GO) list ./... | grep -v -E '/(app|agent|internal/ui|internal/codec|internal/capture)(/|$$)')
OTHER_PKGS = $(shell $(GO) list ./... | grep -E '/(app|agent|internal/ui|internal/codec|internal/capture)(/|$$)')

.PHONY: all deps build broker test vet fuzz bench demo clean loadtest

all: build

deps:
	@scripts/deps.sh

broker:
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN)/tether-broker ./broker

build: deps broker
	$(GO) build ./...

vet:
	$(GO) vet ./...

test: deps vet
	scripts/with-display.sh $(GO) test -race -count=1 -timeout 30m $(RACE_PKGS)
	$(if $(strip $(OTHER_PKGS)),scripts/with-display.sh $(GO) test -count=1 -timeout 30m $(OTHER_PKGS))

# Runs every fuzz target for FUZZTIME each (go test allows one target per run).
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  dir=$$($(GO) list -f '{{.Dir}}' $$pkg); \
	  for f in $$(grep -ho '^func Fuzz[A-Za-z0-9_]*' $$dir/*_test.go 2>/dev/null | sed 's/func //'); do \
	    echo "== $$pkg $$f"; \
	    $(GO) test -run='^$$' -fuzz="^$$f$$" -fuzztime=$(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

bench: deps
	@TETHER_BENCH_DEPS=1 scripts/deps.sh
	$(GO) test -run='^$$' -bench='^BenchmarkPipeline$$' -benchtime=1x -timeout 15m ./internal/media/
	scripts/with-display.sh $(GO) test -run='^$$' -bench=. -benchtime=1x -skip='^BenchmarkPipeline$$' ./internal/...

demo: deps broker
	scripts/demo.sh

# Broker load: 5,000 agents + 500 technicians over loopback for 60s against
# bin/tether-broker; the report goes to bench-results/loadtest.txt. The
# first run seeds bin/loadtest-seed/ (a few minutes of argon2id hashing).
LOADTEST_ARGS ?=
loadtest: broker
	$(GO) run ./loadtest $(LOADTEST_ARGS)

clean:
	rm -rf $(BIN)
