package sql

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the expected output of golden files")

// TestParse runs the golden files in testdata/parse. Each case is the
// input SQL, a line "----", and the expected dump; cases are separated by
// blank lines, and lines starting with "#" between cases are comments.
// Run with -rewrite to regenerate the expectations.
func TestParse(t *testing.T) {
	files, err := filepath.Glob("testdata/parse/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) { runGolden(t, file) })
	}
}

type goldenCase struct {
	comments []string
	input    string
	expected string
	line     int
}

func parseGolden(data string) ([]goldenCase, error) {
	var cases []goldenCase
	lines := strings.Split(data, "\n")
	for i := 0; i < len(lines); {
		var c goldenCase
		for i < len(lines) && (strings.TrimSpace(lines[i]) == "" || strings.HasPrefix(lines[i], "#")) {
			if strings.HasPrefix(lines[i], "#") {
				c.comments = append(c.comments, lines[i])
			}
			i++
		}
		if i >= len(lines) {
			break
		}
		c.line = i + 1
		var in []string
		for i < len(lines) && lines[i] != "----" {
			in = append(in, lines[i])
			i++
		}
		if i >= len(lines) {
			return nil, fmt.Errorf("line %d: case without ----", c.line)
		}
		i++
		var out []string
		for i < len(lines) && lines[i] != "" {
			out = append(out, lines[i])
			i++
		}
		c.input = strings.Join(in, "\n")
		c.expected = strings.Join(out, "\n")
		cases = append(cases, c)
	}
	return cases, nil
}

func runGolden(t *testing.T, file string) {
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	cases, err := parseGolden(string(data))
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	var b strings.Builder
	for k, c := range cases {
		got := dumpParsed(c.input)
		if strings.Contains(got, "\n\n") {
			t.Fatalf("%s:%d: dump contains a blank line", file, c.line)
		}
		if !*rewrite && got != c.expected {
			t.Errorf("%s:%d:\n%s\n---- got:\n%s\n---- want:\n%s", file, c.line, c.input, got, c.expected)
		}
		if k > 0 {
			b.WriteString("\n")
		}
		for _, cm := range c.comments {
			b.WriteString(cm + "\n")
		}
		b.WriteString(c.input + "\n----\n" + got + "\n")
	}
	if *rewrite {
		if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
