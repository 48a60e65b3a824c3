# Tether — build, test and demo targets. `make demo` and `make test` are the
# two commands a newcomer needs; both install missing system packages first.

GO        ?= go
BIN       ?= bin
FUZZTIME  ?= 30s
# Packages tested with the race detector: everything without heavy cgo/GL.
# The end-to-end test (e2e/) runs the real apps as separate programs, so a
# race-instrumented test binary would check nothing but the test itself.
RACE_PKGS  = $(shell $(GO) list ./... | grep -v -E '/(app|agent|internal/ui|internal/codec)(/|$$)|/tether/e2e$$')
OTHER_PKGS = $(shell $(GO) list ./... | grep -E '/(app|agent|internal/ui|internal/codec)(/|$$)|/tether/e2e$$')

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

# Broker on SQLite in ./demo-data with demo accounts, the technician app
# signed in and an agent joined through a fresh support link (on Xvfb, with
# screenshots of each step, when there is no display). See scripts/demo.sh.
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

# ---- Packaging --------------------------------------------------------------
# `make package` puts into $(DIST)/ the installable bundles of both apps for
# this Linux host (fyne's tar.xz: binary, .desktop file, icon, a Makefile
# for `make install`), the static broker, and the agent binary under the
# name the broker's --agent-dir serves it by. Windows and macOS bundles are
# built natively there: see README, "Packaging".
DIST      ?= dist
PKG_OS    := $(shell $(GO) env GOOS)
PKG_ARCH  := $(shell $(GO) env GOARCH)
FYNE       = $(GO) tool fyne
# From a FyneApp.toml: the name fyne gives the archive ("Tether SOS.tar.xz")
# and the icon, whose path is relative to the file.
fyne_name  = $(shell sed -n 's/^Name *= *"\(.*\)"/\1/p' $(1))
fyne_icon  = $(abspath $(dir $(1))$(shell sed -n 's/^Icon *= *"\(.*\)"/\1/p' $(1)))

# fyne package reads FyneApp.toml from the main package's directory and
# writes a bumped Build number back into it, and the technician app's
# FyneApp.toml is at the root, not beside app/main.go. So each app is
# packaged from a staging copy of its main package in $(DIST)/_src/EXE
# (a "_" directory, which ./... never matches): the tree stays untouched.
# The bundle's Makefile from fyne v1.7.2 names the icon without its .png,
# so `make install` would fail: it is corrected, then the bundle is
# installed into a scratch root to prove binary, .desktop file and icon.
# $(call fyne_package,EXE,MAIN_PACKAGE_DIR,FYNEAPP_TOML)
define fyne_package
	rm -rf $(DIST)/_src/$(1) $(DIST)/_src/$(1)-bundle $(DIST)/_src/$(1)-root
	mkdir -p $(DIST)/_src/$(1) $(DIST)/_src/$(1)-bundle $(DIST)/_src/$(1)-root/usr/local
	cp $(filter-out %_test.go,$(wildcard $(2)/*.go)) $(3) $(DIST)/_src/$(1)/
	cd $(DIST) && $(FYNE) package --os $(PKG_OS) --release --src _src/$(1) --icon $(call fyne_icon,$(3))
	tar -xJf "$(DIST)/$(call fyne_name,$(3)).tar.xz" -C $(DIST)/_src/$(1)-bundle
	rm "$(DIST)/$(call fyne_name,$(3)).tar.xz"
	sed -i '/^Icon := ".*\.png"$$/!s/^Icon := "\(.*\)"$$/Icon := "\1.png"/' $(DIST)/_src/$(1)-bundle/$(1)/Makefile
	tar -cJf $(DIST)/$(1)-$(PKG_OS)-$(PKG_ARCH).tar.xz -C $(DIST)/_src/$(1)-bundle $(1)
	MAKEFLAGS= make -s -C $(DIST)/_src/$(1)-bundle/$(1) install DESTDIR=$(abspath $(DIST)/_src/$(1)-root)
	ls $(DIST)/_src/$(1)-root/usr/local/bin/$(1) $(DIST)/_src/$(1)-root/usr/local/share/applications/*.desktop \
	  $(DIST)/_src/$(1)-root/usr/local/share/pixmaps/*.png >/dev/null
endef

.PHONY: package
package: deps
	@[ "$(PKG_OS)" = linux ] || { echo "make package builds Linux bundles; on $(PKG_OS) see README, Packaging" >&2; exit 1; }
	@command -v xz >/dev/null || { echo "make package needs xz (apt-get install xz-utils)" >&2; exit 1; }
	rm -rf $(DIST) && mkdir -p $(DIST)/agent
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w" -o $(DIST)/tether-broker ./broker
	$(call fyne_package,tether,app,FyneApp.toml)
	$(call fyne_package,tether-sos,agent,agent/FyneApp.toml)
	cp $(DIST)/_src/tether-sos-bundle/tether-sos/usr/local/bin/tether-sos $(DIST)/agent/tether-sos-$(PKG_OS)-$(PKG_ARCH)
	rm -rf $(DIST)/_src
	@ls -l $(DIST) $(DIST)/agent
