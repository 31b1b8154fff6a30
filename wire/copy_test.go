package wire

import (
	"bytes"
	"testing"

	"streamsqld/sql/types"
)

// copyResult is what the test engine answers to "copy text|csv": values
// that need COPY's escaping or CSV's quoting, and a NULL.
func copyResult(csv bool) *Result {
	f := &CopyFormat{Delimiter: '\t', Null: `\N`}
	if csv {
		f = &CopyFormat{CSV: true, Delimiter: ',', Null: "", Quote: '"', Escape: '"', Header: true}
	}
	rows := []types.Row{
		{types.NewInt(1), types.NewString("plain")},
		{types.NewInt(2), types.NewString("tab\there, \"quoted\"\nnew line \\ back")},
		{types.NewInt(3), types.Null},
		{types.NewInt(4), types.NewString("")},
	}
	return &Result{
		Columns: []types.Column{{Name: "n", Type: types.TInt4}, {Name: "s", Type: types.TText}},
		Rows:    &sliceIter{rows: rows},
		Tag:     "COPY",
		Copy:    f,
	}
}

func TestCopyOut(t *testing.T) {
	ts := startServer(t, Config{})
	conn := ts.connect(t)
	ctx := testCtx(t)
	pc := conn.PgConn()
	cases := []struct{ query, want string }{
		// PostgreSQL's text format: backslash escapes, \N for NULL.
		{"copy text", "1\tplain\n2\ttab\\there, \"quoted\"\\nnew line \\\\ back\n3\t\\N\n4\t\n"},
		// CSV: quoted where needed, "" inside quotes, NULL unquoted empty,
		// the empty string quoted.
		{"copy csv", "n,s\n1,plain\n2,\"tab\there, \"\"quoted\"\"\nnew line \\ back\"\n3,\n4,\"\"\n"},
	}
	for _, c := range cases {
		var buf bytes.Buffer
		tag, err := pc.CopyTo(ctx, &buf, c.query)
		if err != nil {
			t.Fatalf("%s: %v", c.query, err)
		}
		if tag.String() != "COPY 4" {
			t.Errorf("%s: tag %q, want COPY 4", c.query, tag)
		}
		if buf.String() != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.query, buf.String(), c.want)
		}
	}
	// The session goes on after COPY.
	res, err := pc.Exec(ctx, "show").ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if tag := res[0].CommandTag.String(); tag != "SHOW" || len(res[0].Rows) != 1 {
		t.Errorf("SHOW: tag %q with %d rows, want SHOW with 1 (no row count, as PostgreSQL)", tag, len(res[0].Rows))
	}
}
