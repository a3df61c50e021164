// helm-render renders a Helm chart's templates the way Helm's engine does, for tests on machines
// without a helm binary (no network for Go modules; builds in GOPATH mode from Debian's packages:
// golang-go, golang-github-masterminds-sprig-dev, golang-k8s-sigs-yaml-dev).
//
// Same building blocks as helm.sh/helm/v3/pkg/engine: Go text/template with missingkey=zero,
// sprig's TxtFuncMap without env/expandenv, Helm's include/tpl/required/toYaml/fromYaml/toJson/
// fromJson/lookup, templates named "<chart>/templates/<file>", "<no value>" blanked, values read
// with sigs.k8s.io/yaml (numbers are float64, as in Helm) and coalesced with -f overrides.
// .Files.Get reads chart files outside templates/. Not covered: subcharts, .Files.Glob/AsConfig,
// .helmignore, .Capabilities beyond the kube version, schema validation (the TypeScript tests
// validate values.schema.json with ajv).
//
// Usage: helm-render <chartDir> [-f override.yaml]... [-n namespace] [-r release]
// Prints {"files": {"<chart>/templates/<file>": "<rendered>"}} on success; exit 1 with the
// template error on stderr otherwise (e.g. a `fail` in the chart).
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	"sigs.k8s.io/yaml"
)

func readYAML(path string) (map[string]interface{}, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	out := map[string]interface{}{}
	if err := yaml.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return out, nil
}

// coalesce merges src into dst like Helm: maps merge recursively, other values replace, null deletes.
func coalesce(dst, src map[string]interface{}) map[string]interface{} {
	for k, v := range src {
		if v == nil {
			delete(dst, k)
			continue
		}
		sv, sok := v.(map[string]interface{})
		dv, dok := dst[k].(map[string]interface{})
		if sok && dok {
			dst[k] = coalesce(dv, sv)
		} else {
			dst[k] = v
		}
	}
	return dst
}

// chartFiles is .Files: chart files outside templates/, by path relative to the chart root.
type chartFiles map[string][]byte

// Get returns a file's content, or "" when it does not exist (as Helm does).
func (f chartFiles) Get(name string) string { return string(f[name]) }

func readChartFiles(chartDir string) (chartFiles, error) {
	files := chartFiles{}
	err := filepath.WalkDir(chartDir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(chartDir, path)
		if d.IsDir() {
			if rel == "templates" {
				return filepath.SkipDir
			}
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files[filepath.ToSlash(rel)] = b
		return nil
	})
	return files, err
}

func toYAML(v interface{}) string {
	data, err := yaml.Marshal(v)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(data), "\n")
}

func fromYAML(str string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := yaml.Unmarshal([]byte(str), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func toJSON(v interface{}) string {
	data, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(data)
}

func fromJSON(str string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := json.Unmarshal([]byte(str), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: helm-render <chartDir> [-f override.yaml]... [-n namespace] [-r release]")
		os.Exit(2)
	}
	chartDir := os.Args[1]
	namespace, release := "default", "tickcast"
	var overrides []string
	for i := 2; i < len(os.Args); i++ {
		switch os.Args[i] {
		case "-f":
			i++
			overrides = append(overrides, os.Args[i])
		case "-n":
			i++
			namespace = os.Args[i]
		case "-r":
			i++
			release = os.Args[i]
		default:
			fmt.Fprintf(os.Stderr, "unknown argument %q\n", os.Args[i])
			os.Exit(2)
		}
	}
	die := func(err error) {
		fmt.Fprintln(os.Stderr, err.Error())
		os.Exit(1)
	}

	chartMeta, err := readYAML(filepath.Join(chartDir, "Chart.yaml"))
	if err != nil {
		die(err)
	}
	values, err := readYAML(filepath.Join(chartDir, "values.yaml"))
	if err != nil {
		die(err)
	}
	for _, f := range overrides {
		o, err := readYAML(f)
		if err != nil {
			die(err)
		}
		values = coalesce(values, o)
	}
	files, err := readChartFiles(chartDir)
	if err != nil {
		die(err)
	}
	chartName, _ := chartMeta["name"].(string)
	chart := map[string]interface{}{}
	for k, v := range chartMeta {
		chart[strings.ToUpper(k[:1])+k[1:]] = v // Helm exposes chart.Metadata fields: .Chart.AppVersion
	}

	tplDir := filepath.Join(chartDir, "templates")
	entries, err := os.ReadDir(tplDir)
	if err != nil {
		die(err)
	}
	var names []string
	t := template.New("gotpl")
	t.Option("missingkey=zero")
	funcs := sprig.TxtFuncMap()
	delete(funcs, "env")
	delete(funcs, "expandenv")
	included := map[string]int{}
	funcs["toYaml"] = toYAML
	funcs["fromYaml"] = fromYAML
	funcs["toJson"] = toJSON
	funcs["fromJson"] = fromJSON
	funcs["include"] = func(name string, data interface{}) (string, error) {
		if included[name] > 1000 {
			return "", fmt.Errorf("rendering template has a nested reference name: %s", name)
		}
		included[name]++
		defer func() { included[name]-- }()
		var buf strings.Builder
		err := t.ExecuteTemplate(&buf, name, data)
		return buf.String(), err
	}
	funcs["tpl"] = func(text string, data interface{}) (string, error) {
		c, err := t.Clone()
		if err != nil {
			return "", err
		}
		nt, err := c.New("tpl").Parse(text)
		if err != nil {
			return "", err
		}
		var buf strings.Builder
		err = nt.Execute(&buf, data)
		return strings.ReplaceAll(buf.String(), "<no value>", ""), err
	}
	funcs["required"] = func(warn string, val interface{}) (interface{}, error) {
		if val == nil {
			return val, fmt.Errorf(warn)
		}
		if s, ok := val.(string); ok && s == "" {
			return val, fmt.Errorf(warn)
		}
		return val, nil
	}
	funcs["lookup"] = func(string, string, string, string) (map[string]interface{}, error) {
		return map[string]interface{}{}, nil
	}
	t.Funcs(funcs)
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(tplDir, e.Name()))
		if err != nil {
			die(err)
		}
		name := chartName + "/templates/" + e.Name()
		if _, err := t.New(name).Parse(string(b)); err != nil {
			die(err)
		}
		names = append(names, name)
	}
	sort.Strings(names)

	out := map[string]string{}
	for _, name := range names {
		if strings.HasPrefix(filepath.Base(name), "_") {
			continue
		}
		data := map[string]interface{}{
			"Values":       values,
			"Chart":        chart,
			"Release":      map[string]interface{}{"Name": release, "Namespace": namespace, "Service": "Helm", "IsInstall": true, "IsUpgrade": false, "Revision": 1},
			"Capabilities": map[string]interface{}{"KubeVersion": map[string]interface{}{"Version": "v1.30.0", "Major": "1", "Minor": "30"}},
			"Template":     map[string]interface{}{"Name": name, "BasePath": chartName + "/templates"},
			"Files":        files,
		}
		var buf bytes.Buffer
		if err := t.ExecuteTemplate(&buf, name, data); err != nil {
			die(err)
		}
		out[name] = strings.ReplaceAll(buf.String(), "<no value>", "")
	}
	enc := json.NewEncoder(os.Stdout)
	if err := enc.Encode(map[string]interface{}{"files": out}); err != nil {
		die(err)
	}
}
