package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// envDir holds one committed JSON file per environment (env/prod.json, ...), relative to
// deploy/, where the CDK app runs. The files are the settings every deploy uses, so a deploy
// never depends on flags someone must remember.
const envDir = "env"

// Environments reads the env files: only the one named, or every one when only is empty
// (`make synth` checks them all). context gives the values that come from the command line:
// "deploying", which `make deploy` sets, and nothing else, since a value given there would
// be forgotten by the next deploy.
func Environments(dir, only string, context func(string) any) ([]Config, error) {
	var errs []error
	for _, key := range configKeys() {
		if key != "env" && key != "deploying" && context(key) != nil {
			errs = append(errs, fmt.Errorf("%s: set it in %s/<env>.json, not on the command line", key, dir))
		}
	}
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	var cfgs []Config
	for _, path := range paths {
		name := strings.TrimSuffix(filepath.Base(path), ".json")
		if only != "" && name != only {
			continue
		}
		cfg, err := environment(path, name, context)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s:\n%w", path, err))
		}
		cfgs = append(cfgs, cfg)
	}
	if len(cfgs) == 0 {
		errs = append(errs, fmt.Errorf("env %q: no %s/%s.json", only, dir, only))
	}
	return cfgs, errors.Join(errs...)
}

// environment reads one env file over the defaults; its name is the file's.
func environment(path, name string, context func(string) any) (Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Config{}, err
	}
	var values map[string]any
	if err := json.Unmarshal(b, &values); err != nil {
		return Config{}, err
	}
	var errs []error
	keys := configKeys()
	for key := range values {
		if key == "env" || key == "deploying" || !slices.Contains(keys, key) {
			errs = append(errs, fmt.Errorf("%s: not a setting of an env file", key))
		}
	}
	cfg, err := configFrom(func(key string) any {
		switch key {
		case "env":
			return name
		case "deploying":
			return context(key)
		}
		return values[key]
	})
	return cfg, errors.Join(append(errs, err)...)
}
