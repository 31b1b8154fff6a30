package planner_test

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
)

// rewrite regenerates the expected outputs of the testdata files.
var rewrite = flag.Bool("rewrite", false, "rewrite testdata expectations with actual output")

// testCase is one datadriven directive:
//
//	command arg...
//	input
//	----
//	expected output
//
// followed by a blank line (cockroachdb/datadriven's format, where an
// expected output containing blank lines is wrapped in a second "----").
type testCase struct {
	pos      string
	cmd      string
	args     []string
	input    string
	expected string
}

// runDataDriven runs every directive of path through f, comparing or, with
// -rewrite, replacing the expected output.
func runDataDriven(t *testing.T, path string, f func(t *testing.T, tc *testCase) string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	var out strings.Builder
	i := 0
	for i < len(lines) {
		line := lines[i]
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			out.WriteString(line)
			if i < len(lines)-1 {
				out.WriteByte('\n')
			}
			i++
			continue
		}
		tc := &testCase{pos: fmt.Sprintf("%s:%d", path, i+1)}
		fields := strings.Fields(line)
		tc.cmd, tc.args = fields[0], fields[1:]
		out.WriteString(line + "\n")
		i++
		var input []string
		for i < len(lines) && lines[i] != "----" {
			input = append(input, lines[i])
			out.WriteString(lines[i] + "\n")
			i++
		}
		tc.input = strings.Join(input, "\n")
		if i >= len(lines) {
			t.Fatalf("%s: missing ----", tc.pos)
		}
		i++ // ----
		var expected []string
		if i < len(lines) && lines[i] == "----" {
			// Blank lines allowed until a closing "----\n----".
			i++
			for i+1 < len(lines) && !(lines[i] == "----" && lines[i+1] == "----") {
				expected = append(expected, lines[i])
				i++
			}
			i += 2
			tc.expected = strings.Join(expected, "\n") + "\n"
		} else {
			for i < len(lines) && strings.TrimSpace(lines[i]) != "" {
				expected = append(expected, lines[i])
				i++
			}
			if len(expected) > 0 {
				tc.expected = strings.Join(expected, "\n") + "\n"
			}
		}
		actual := f(t, tc)
		if actual != "" && !strings.HasSuffix(actual, "\n") {
			actual += "\n"
		}
		if strings.Contains(strings.TrimRight(actual, "\n"), "\n\n") {
			out.WriteString("----\n----\n" + actual + "----\n----\n")
		} else {
			out.WriteString("----\n" + actual)
		}
		if !*rewrite && actual != tc.expected {
			t.Errorf("%s: %s\n%s\nexpected:\n%s\nactual:\n%s", tc.pos, tc.cmd, tc.input, tc.expected, actual)
		}
	}
	if *rewrite {
		w, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		bw := bufio.NewWriter(w)
		bw.WriteString(out.String())
		if err := bw.Flush(); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
