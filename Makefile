# cryptodash: `make help` lists the targets.
SHELL := /bin/bash
GO ?= go
# go.mod asks for the newest Go 1.26 patch; a machine whose Go says GOTOOLCHAIN=local (Debian's,
# Docker's) would refuse to build instead of fetching it from the module proxy.
export GOTOOLCHAIN ?= auto
BIN := bin/cryptodash
PORT ?= 8080

.DEFAULT_GOAL := help

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

run: ## run the dashboard on PORT (8080) against DATABASE_URL (unset: localhost:5432, else a private PostgreSQL), fetching from CoinGecko
	$(GO) run ./cmd/cryptodash serve

demo: ## run the dashboard with the built-in CoinGecko simulator (no internet needed; prices are simulated)
	$(GO) run ./cmd/cryptodash demo

test: ## run every test (needs PostgreSQL on 127.0.0.1:5432 and Chromium for the browser tests)
	$(GO) test -count=1 -timeout 20m ./...

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

css: node_modules ## build the Tailwind CSS, bundle the ECharts parts in use and vendor HTMX into static/
	npm run --silent build:css
	npm run --silent vendor

check-generated: generate css ## fail if templ output or built assets differ from what is committed
	@git diff --exit-code --stat -- views static || { echo "generated files are stale: run 'make generate css' and commit"; exit 1; }
	@test -z "$$(git status --porcelain -- views static)" || { git status --porcelain -- views static; echo "untracked generated files"; exit 1; }

build: ## build a static binary into bin/
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags='-s -w' -o $(BIN) ./cmd/cryptodash

vuln: ## govulncheck against a database built from the golang.org/x/vulndb module (works offline once fetched)
	./.ci/vuln

lint: ## gofmt, go vet, staticcheck (every check) and deadcode
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
# environment. CDK_ARGS passes context, e.g. CDK_ARGS="-c domainName=dash.example.com".
CDK := ../node_modules/.bin/cdk

synth: node_modules ## test the AWS stack (deploy/) and write its CloudFormation into deploy/cdk.out
	cd deploy && $(GO) vet ./... && $(GO) test -count=1 ./...
	cd deploy && rm -rf cdk.out && CDK_DISABLE_CLI_TELEMETRY=true $(CDK) synth --quiet --no-notices $(CDK_ARGS)

deploy: node_modules ## deploy the AWS stack to the account in the environment (docs/deploy.md)
	cd deploy && $(CDK) deploy --require-approval broadening $(CDK_ARGS)

.PHONY: vuln help run demo test test-race bench generate css check-generated build lint screenshots docker synth deploy
