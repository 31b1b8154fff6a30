# streamsqld: `make run` starts a server with embedded defaults, `make test`
# runs every test. See README.md.

GO        ?= go
BIN       := bin/streamsqld
GOFLAGS   ?=
# Packages with goroutines of their own run under the race detector too.
RACE_PKGS := ./exec/... ./planner/... ./wire/... ./storage/... ./catalog/... ./server/...

.PHONY: all build run test vet fmt-check race bench clean compat-deps

all: build

build:
	$(GO) build $(GOFLAGS) -o $(BIN) ./cmd/streamsqld

# Starts the server on 127.0.0.1:5433 with ./streamsqld-data and the built-in
# demo source (datagen tweets) and view (hashtag_counts).
run: build
	./$(BIN) --demo $(ARGS)

vet:
	$(GO) vet ./...

fmt-check:
	@out="$$(gofmt -l $$(git ls-files '*.go'))"; if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

race:
	$(GO) test -race -count=1 $(RACE_PKGS)

# The clients of the compatibility suite (TestCompatClients runs
# testdata/compat/run.sh): Debian packages and node-postgres, installed when
# missing. Offline or unprivileged it prints why and the suite skips them.
compat-deps:
	@sh testdata/compat/deps.sh

test: build fmt-check vet compat-deps
	$(GO) test -count=1 -timeout 8m ./...
	$(GO) test -race -count=1 -timeout 8m $(RACE_PKGS)

# Writes BENCHMARKS.md (under 15 minutes on 2 cores); BENCH_ARGS passes
# flags, e.g. BENCH_ARGS="-cpuprofile /tmp/prof" or "-only q5,latency".
bench: build
	$(GO) run ./cmd/streamsqld-bench -out BENCHMARKS.md $(BENCH_ARGS)

clean:
	rm -rf bin
