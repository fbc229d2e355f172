# EcoHub: the README's commands. Each installs what it needs, builds into build/,
# and runs. BUILD_TYPE=Debug make test builds with assertions and sanitizers off.
BUILD_DIR   ?= build
BUILD_TYPE  ?= RelWithDebInfo
JOBS        ?= $(shell nproc)
DEMO_DATA   ?= var/demo
DEMO_CITY   ?= beijing
HTTP_LISTEN ?= 127.0.0.1:8080
GW_LISTEN   ?= 127.0.0.1:9212

.PHONY: all setup build test demo bench fuzz format clean

all: build

setup:
	@bash scripts/setup.sh

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

build: setup $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 900

demo: build
	@bash scripts/demo.sh "$(BUILD_DIR)/ecohub" "$(DEMO_DATA)" "$(HTTP_LISTEN)" "$(GW_LISTEN)" "$(DEMO_CITY)"

bench: build
	@bash bench/run.sh "$(BUILD_DIR)"

fuzz: build
	@bash fuzz/run.sh "$(BUILD_DIR)" $${FUZZ_SECONDS:-3600}

format:
	clang-format-14 -i $$(git ls-files "*.cc" "*.h")

clean:
	rm -rf $(BUILD_DIR)
