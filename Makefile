# streamsqld: `make run` starts a server with embedded defaults, `make test`
# runs every test. See README.md.

GO        ?= go
BIN       := bin/streamsqld
GOFLAGS   ?=
# Packages with goroutines of their own run under the race detector too.
RACE_PKGS := ./exec/... ./planner/... ./wire/... ./storage/... ./catalog/... ./server/...

.PHONY: all build run test vet fmt-check race bench clean

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

test: build fmt-check vet
	$(GO) test -count=1 -timeout 8m ./...
	$(GO) test -race -count=1 -timeout 8m $(RACE_PKGS)

bench: build
	$(GO) run ./cmd/streamsqld-bench -out BENCHMARKS.md

clean:
	rm -rf bin
