# eksnet: build, test and check. Every target needs only Go.
GO      ?= go
PKGS    := ./...
FUZZTIME ?= 5s

.PHONY: all build install run test race bench bench-startup fuzz lint limits generate docs clean

all: lint test build

build:
	$(GO) build -buildvcs=auto -o bin/eksnet ./cmd/eksnet

run:
	$(GO) run ./cmd/eksnet maxpods c3.large

# The test command of the README and of .ci/run.
test:
	$(GO) test -race -count=1 $(PKGS)

bench:
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)

# Start-up against its floor: a probe linking the same libraries, run alternately.
bench-startup:
	$(GO) run ./bench/startup

# The command reference under docs/cli (Markdown and man pages), from the commands.
docs:
	$(GO) test ./cmd/eksnet -run '^TestCLIDocsAreCurrent$$' -update

install:
	$(GO) install -buildvcs=auto ./cmd/eksnet

# Regenerate internal/limits/embedded_table.go from data/instance-limits.json.
generate:
	$(GO) generate ./internal/limits

# A short smoke run of every fuzz target (go test -fuzz takes one target at a time).
fuzz:
	@set -e; for pkg in $$($(GO) list $(PKGS)); do \
	  for target in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "fuzz $$pkg $$target"; \
	    EKSNET_FUZZ_TIME_BOUND=1s $(GO) test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; \
	done

# Regenerate the embedded table from EC2, every region enabled for the account
# (needs AWS credentials allowed ec2:DescribeInstanceTypes and ec2:DescribeRegions;
# REGIONS=us-east-1,eu-west-1 to ask fewer). The summary lists what changed.
REGIONS ?= all
limits:
	$(GO) run ./cmd/eksnet limits update --regions $(REGIONS) --out data/instance-limits.json
	$(GO) generate ./internal/limits

lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet $(PKGS)

clean:
	rm -rf bin
