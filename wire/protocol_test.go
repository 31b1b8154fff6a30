package wire

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/jackc/pgx/v5/pgtype"
)

func pgCode(t *testing.T, err error) string {
	t.Helper()
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		t.Fatalf("want a PgError, got %v", err)
	}
	return pe.Code
}

func TestSimpleQueryMultiStatement(t *testing.T) {
	ts := startServer(t, Config{})
	conn := ts.connect(t)
	ctx := testCtx(t)
	pc := conn.PgConn()

	res, err := pc.Exec(ctx, "ints 2; ints 3; begin").ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 3 {
		t.Fatalf("got %d results, want 3", len(res))
	}
	for i, want := range []struct {
		tag  string
		rows int
	}{{"SELECT 2", 2}, {"SELECT 3", 3}, {"BEGIN", 0}} {
		if got := res[i].CommandTag.String(); got != want.tag || len(res[i].Rows) != want.rows {
			t.Errorf("result %d: tag %q rows %d, want %q rows %d", i, got, len(res[i].Rows), want.tag, want.rows)
		}
	}
	if string(res[1].Rows[2][0]) != "3" || res[1].FieldDescriptions[0].Name != "n" {
		t.Errorf("unexpected row %q / field %q", res[1].Rows[2][0], res[1].FieldDescriptions[0].Name)
	}
	if pc.TxStatus() != 'T' {
		t.Fatalf("TxStatus %c, want T", pc.TxStatus())
	}

	// An error stops the rest of the string and fails the block.
	res, err = pc.Exec(ctx, "ints 1; fail 22012; ints 2").ReadAll()
	if code := pgCode(t, err); code != "22012" {
		t.Fatalf("code %s, want 22012", code)
	}
	if len(res) != 1 || res[0].CommandTag.String() != "SELECT 1" {
		t.Fatalf("want only the first statement's result, got %d results", len(res))
	}
	if pc.TxStatus() != 'E' {
		t.Fatalf("TxStatus %c, want E", pc.TxStatus())
	}
	_, err = pc.Exec(ctx, "ints 1").ReadAll()
	if code := pgCode(t, err); code != "25P02" {
		t.Fatalf("code %s, want 25P02", code)
	}
	res, err = pc.Exec(ctx, "/* done */ commit").ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if tag := res[0].CommandTag.String(); tag != "ROLLBACK" {
		t.Errorf("COMMIT of a failed block reported %q, want ROLLBACK", tag)
	}
	if pc.TxStatus() != 'I' {
		t.Fatalf("TxStatus %c, want I", pc.TxStatus())
	}

	// An error outside a block leaves the session idle.
	_, err = pc.Exec(ctx, "fail 42P01").ReadAll()
	if code := pgCode(t, err); code != "42P01" {
		t.Fatalf("code %s", code)
	}
	if pc.TxStatus() != 'I' {
		t.Fatalf("TxStatus %c, want I", pc.TxStatus())
	}
}

func TestSimpleQueryRaw(t *testing.T) {
	ts := startServer(t, Config{})
	rc, _ := startupRaw(t, ts.addr)

	rc.send(&pgproto3.Query{String: "  ; "})
	rc.expect("EmptyQueryResponse", "ReadyForQuery I")

	rc.send(&pgproto3.Query{String: "ints 2; begin; notice hello there; set TimeZone Europe/Paris"})
	rc.expect(
		"RowDescription n:23/0", "DataRow 1", "DataRow 2", "CommandComplete SELECT 2",
		"CommandComplete BEGIN",
		"NoticeResponse NOTICE hello there", "CommandComplete DO",
		"ParameterStatus TimeZone=Europe/Paris", "CommandComplete SET",
		"ReadyForQuery T")

	rc.send(&pgproto3.Query{String: "bogus"})
	m := rc.recv().(*pgproto3.ErrorResponse)
	if m.Code != "42601" || m.Position != 1 || m.Severity != "ERROR" || m.SeverityUnlocalized != "ERROR" {
		t.Fatalf("got %+v", m)
	}
	rc.expect("ReadyForQuery E")
	rc.send(&pgproto3.Query{String: "rollback"})
	rc.expect("CommandComplete ROLLBACK", "ReadyForQuery I")

	rc.send(&pgproto3.Query{String: "echo int4"})
	rc.expect("ErrorResponse ERROR 42P02", "ReadyForQuery I")

	rc.send(&pgproto3.Query{String: "fail 22012"})
	e := rc.recv().(*pgproto3.ErrorResponse)
	if e.Detail != "some detail" || e.Hint != "some hint" || e.Message != "failed with 22012" {
		t.Fatalf("got %+v", e)
	}
	rc.expect("ReadyForQuery I")

	rc.send(&pgproto3.Terminate{})
	rc.expectClosed()
	ts.eng.waitClosed(t, 1)
}

func TestStartupParametersAndSSL(t *testing.T) {
	ts := startServer(t, Config{})

	// SSLRequest and GSSEncRequest are declined on the same connection.
	rc := dialRaw(t, ts.addr)
	for _, req := range []pgproto3.FrontendMessage{&pgproto3.GSSEncRequest{}, &pgproto3.SSLRequest{}} {
		rc.send(req)
		var b [1]byte
		_ = rc.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := rc.nc.Read(b[:]); err != nil || b[0] != 'N' {
			t.Fatalf("got %q, %v; want N", b[0], err)
		}
	}
	rc.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30,
		Parameters: map[string]string{"user": "tester", "database": "db", "application_name": "raw"}})
	rc.expect("AuthenticationOk")
	seen := map[string]string{}
	for {
		m := rc.recv()
		if ps, ok := m.(*pgproto3.ParameterStatus); ok {
			seen[ps.Name] = ps.Value
			continue
		}
		if _, ok := m.(*pgproto3.BackendKeyData); !ok {
			t.Fatalf("got %s, want BackendKeyData", summarize(m))
		}
		break
	}
	rc.expect("ReadyForQuery I")
	if seen["application_name"] != "raw" || seen["server_version"] != "16.0" || len(seen) != 11 {
		t.Errorf("ParameterStatus: %v", seen)
	}

	// pgx with sslmode=prefer gets 'N' and continues in plaintext.
	ctx := testCtx(t)
	conn, err := pgx.Connect(ctx, "postgres://tester@"+ts.addr+"/db?sslmode=prefer")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if v := conn.PgConn().ParameterStatus("session_authorization"); v != "tester" {
		t.Errorf("session_authorization %q", v)
	}

	// A protocol 3.2 client is negotiated down to 3.0.
	rc = dialRaw(t, ts.addr)
	rc.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion32,
		Parameters: map[string]string{"user": "tester", "_pq_.foo": "1"}})
	nv, ok := rc.recv().(*pgproto3.NegotiateProtocolVersion)
	if !ok || nv.NewestMinorProtocol != 0 || len(nv.UnrecognizedOptions) != 1 || nv.UnrecognizedOptions[0] != "_pq_.foo" {
		t.Fatalf("got %+v", nv)
	}
	rc.expect("AuthenticationOk")

	// A connect error is FATAL.
	_, err = pgx.Connect(ctx, ts.connString("nodb"))
	if code := pgCode(t, err); code != "3D000" {
		t.Fatalf("code %s, want 3D000", code)
	}
}

func TestParameterChangesAndNotices(t *testing.T) {
	ts := startServer(t, Config{})
	ctx := testCtx(t)
	cfg, err := pgx.ParseConfig(ts.connString("db"))
	if err != nil {
		t.Fatal(err)
	}
	var notices []string
	cfg.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) { notices = append(notices, n.Severity+" "+n.Message) }
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if v := conn.PgConn().ParameterStatus("application_name"); v != "wiretest" {
		t.Fatalf("application_name %q", v)
	}
	if _, err := conn.Exec(ctx, "set application_name other"); err != nil {
		t.Fatal(err)
	}
	if v := conn.PgConn().ParameterStatus("application_name"); v != "other" {
		t.Fatalf("application_name %q after SET", v)
	}
	tag, err := conn.Exec(ctx, "notice look out")
	if err != nil || tag.String() != "DO" {
		t.Fatal(tag, err)
	}
	if len(notices) != 1 || notices[0] != "NOTICE look out" {
		t.Fatalf("notices %v", notices)
	}
}

func TestErrorsKeepSessionUsable(t *testing.T) {
	ts := startServer(t, Config{})
	conn := ts.connect(t)
	ctx := testCtx(t)

	for _, tc := range []struct{ sql, code string }{
		{"fail 42P01", "42P01"},
		{"bogus statement", "42601"},
		{"panic", "XX000"},
		{"panicprepare", "XX000"},
		{"iterfail 3", "XX000"},
	} {
		_, err := conn.Exec(ctx, tc.sql)
		if code := pgCode(t, err); code != tc.code {
			t.Errorf("%s: code %s, want %s", tc.sql, code, tc.code)
		}
		var n int32
		if err := conn.QueryRow(ctx, "ints 1").Scan(&n); err != nil || n != 1 {
			t.Fatalf("after %s: %d, %v", tc.sql, n, err)
		}
	}
	// The extended protocol takes one statement.
	rr := conn.PgConn().ExecParams(ctx, "ints 1; ints 2", nil, nil, nil, nil).Read()
	if code := pgCode(t, rr.Err); code != "42601" {
		t.Errorf("code %s, want 42601", code)
	}
	var pe *pgconn.PgError
	_, err := conn.Exec(ctx, "bogus")
	if errors.As(err, &pe); pe.Position != 1 || pe.Message != `syntax error at or near "bogus"` {
		t.Errorf("got %+v", pe)
	}
}

func TestExtendedBinaryParamsAndResults(t *testing.T) {
	ts := startServer(t, Config{})
	conn := ts.connect(t)
	ctx := testCtx(t)

	var num pgtype.Numeric
	if err := num.Scan("12345.678"); err != nil {
		t.Fatal(err)
	}
	ts0 := time.Date(2024, 2, 29, 13, 14, 15, 123456000, time.UTC)
	var (
		i4  int32
		i8  int64
		f8  float64
		s   string
		b   bool
		n   pgtype.Numeric
		tm  time.Time
		nul *int32
	)
	err := conn.QueryRow(ctx, "echo int4 int8 float8 text bool numeric timestamp int4",
		int32(-42), int64(1)<<40, 2.5, "héllo", true, num, ts0, nil).
		Scan(&i4, &i8, &f8, &s, &b, &n, &tm, &nul)
	if err != nil {
		t.Fatal(err)
	}
	nv, _ := n.Value()
	if i4 != -42 || i8 != 1<<40 || f8 != 2.5 || s != "héllo" || !b || nv != "12345.678" || !tm.Equal(ts0) || nul != nil {
		t.Fatalf("got %d %d %v %q %v %v %v %v", i4, i8, f8, s, b, nv, tm, nul)
	}
	// pgx asked for binary results where it could; the same values must
	// come back in text when asked.
	rr := conn.PgConn().ExecParams(ctx, "echo int4 int8 float8 text bool numeric timestamp int4",
		[][]byte{[]byte("-42"), []byte("1099511627776"), []byte("2.5"), []byte("héllo"), []byte("t"),
			[]byte("12345.678"), []byte("2024-02-29 13:14:15.123456"), nil},
		nil, nil, nil).Read()
	if rr.Err != nil {
		t.Fatal(rr.Err)
	}
	want := []string{"-42", "1099511627776", "2.5", "héllo", "t", "12345.678", "2024-02-29 13:14:15.123456", "<nil>"}
	for i, v := range rr.Rows[0] {
		got := "<nil>"
		if v != nil {
			got = string(v)
		}
		if got != want[i] {
			t.Errorf("column %d: %q, want %q", i, got, want[i])
		}
	}
	if rr.CommandTag.String() != "SELECT 1" {
		t.Errorf("tag %q", rr.CommandTag)
	}

	// Bad parameter text is the codec's error.
	rr = conn.PgConn().ExecParams(ctx, "echo int4", [][]byte{[]byte("x")}, nil, nil, nil).Read()
	if code := pgCode(t, rr.Err); code != "22P02" {
		t.Errorf("code %s, want 22P02", code)
	}
	// Unknown parameter types are taken as text.
	rr = conn.PgConn().ExecParams(ctx, "echo unknown", [][]byte{[]byte("abc")}, nil, nil, nil).Read()
	if rr.Err != nil || string(rr.Rows[0][0]) != "abc" {
		t.Errorf("unknown param: %v %q", rr.Err, rr.Rows)
	}
}

func TestExtendedProtocolObjects(t *testing.T) {
	ts := startServer(t, Config{})
	rc, _ := startupRaw(t, ts.addr)

	rc.send(
		&pgproto3.Parse{Name: "s1", Query: "echo int4 text"},
		&pgproto3.Describe{ObjectType: 'S', Name: "s1"},
		&pgproto3.Parse{Name: "s2", Query: "begin"},
		&pgproto3.Describe{ObjectType: 'S', Name: "s2"},
		&pgproto3.Parse{Name: "", Query: ""},
		&pgproto3.Bind{PreparedStatement: ""},
		&pgproto3.Execute{},
		&pgproto3.Sync{})
	rc.expect("ParseComplete", "ParameterDescription 23,25", "RowDescription c1:23/0,c2:25/0",
		"ParseComplete", "ParameterDescription ", "NoData",
		"ParseComplete", "BindComplete", "EmptyQueryResponse", "ReadyForQuery I")

	// Per-parameter and per-result format codes, a named portal.
	rc.send(
		&pgproto3.Bind{DestinationPortal: "p1", PreparedStatement: "s1",
			ParameterFormatCodes: []int16{1, 0}, Parameters: [][]byte{{0, 0, 0, 7}, []byte("seven")},
			ResultFormatCodes: []int16{0, 0}},
		&pgproto3.Describe{ObjectType: 'P', Name: "p1"},
		&pgproto3.Execute{Portal: "p1"},
		&pgproto3.Close{ObjectType: 'P', Name: "p1"},
		&pgproto3.Close{ObjectType: 'S', Name: "s1"},
		&pgproto3.Close{ObjectType: 'S', Name: "never-existed"},
		&pgproto3.Sync{})
	rc.expect("BindComplete", "RowDescription c1:23/0,c2:25/0", "DataRow 7,seven", "CommandComplete SELECT 1",
		"CloseComplete", "CloseComplete", "CloseComplete", "ReadyForQuery I")

	for _, tc := range []struct {
		msgs []pgproto3.FrontendMessage
		want string
	}{
		{[]pgproto3.FrontendMessage{&pgproto3.Parse{Name: "s2", Query: "ints 1"}}, "42P05"},
		{[]pgproto3.FrontendMessage{&pgproto3.Bind{PreparedStatement: "s1"}}, "26000"},
		{[]pgproto3.FrontendMessage{&pgproto3.Describe{ObjectType: 'S', Name: "nope"}}, "26000"},
		{[]pgproto3.FrontendMessage{&pgproto3.Describe{ObjectType: 'P', Name: "nope"}}, "34000"},
		{[]pgproto3.FrontendMessage{&pgproto3.Execute{Portal: "nope"}}, "34000"},
		{[]pgproto3.FrontendMessage{&pgproto3.Parse{Query: "echo int4"},
			&pgproto3.Bind{Parameters: [][]byte{[]byte("1"), []byte("2")}}}, "08P01"},
		{[]pgproto3.FrontendMessage{&pgproto3.Parse{Query: "echo int4"},
			&pgproto3.Bind{ParameterFormatCodes: []int16{3}, Parameters: [][]byte{[]byte("1")}}}, "22023"},
		{[]pgproto3.FrontendMessage{&pgproto3.Parse{Query: "echo int4"},
			&pgproto3.Bind{Parameters: [][]byte{[]byte("1")}, ResultFormatCodes: []int16{0, 1}}}, "08P01"},
		{[]pgproto3.FrontendMessage{&pgproto3.Parse{Query: "echo int4"},
			&pgproto3.Bind{ParameterFormatCodes: []int16{1}, Parameters: [][]byte{{1}}}}, "22P03"},
	} {
		var want []string
		for range len(tc.msgs) - 1 {
			want = append(want, summarize(&pgproto3.ParseComplete{}))
		}
		rc.send(append(tc.msgs, &pgproto3.Sync{})...)
		rc.expect(append(want, "ErrorResponse ERROR "+tc.want, "ReadyForQuery I")...)
	}

	// The unnamed statement is replaced; a named one is not.
	rc.send(&pgproto3.Parse{Query: "ints 1"}, &pgproto3.Parse{Query: "ints 2"},
		&pgproto3.Bind{}, &pgproto3.Execute{}, &pgproto3.Sync{})
	rc.expect("ParseComplete", "ParseComplete", "BindComplete", "DataRow 1", "DataRow 2", "CommandComplete SELECT 2", "ReadyForQuery I")
}

func TestExtendedErrorSkipsUntilSync(t *testing.T) {
	ts := startServer(t, Config{})
	rc, _ := startupRaw(t, ts.addr)

	rc.send(
		&pgproto3.Parse{Query: "begin"}, &pgproto3.Bind{}, &pgproto3.Execute{},
		&pgproto3.Parse{Query: "fail 42P01"}, &pgproto3.Bind{}, &pgproto3.Execute{},
		// Discarded up to Sync:
		&pgproto3.Parse{Query: "ints 1"}, &pgproto3.Bind{}, &pgproto3.Execute{},
		&pgproto3.Query{String: "ints 1"},
		&pgproto3.Sync{})
	rc.expect("ParseComplete", "BindComplete", "CommandComplete BEGIN",
		"ParseComplete", "BindComplete", "ErrorResponse ERROR 42P01",
		"ReadyForQuery E")

	// In the failed block only its end runs.
	rc.send(&pgproto3.Parse{Query: "ints 1"}, &pgproto3.Sync{})
	rc.expect("ErrorResponse ERROR 25P02", "ReadyForQuery E")
	rc.send(&pgproto3.Parse{Query: "rollback"}, &pgproto3.Bind{}, &pgproto3.Execute{}, &pgproto3.Sync{})
	rc.expect("ParseComplete", "BindComplete", "CommandComplete ROLLBACK", "ReadyForQuery I")

	// Flush sends what is buffered without ending the pipeline.
	rc.send(&pgproto3.Parse{Query: "ints 1"}, &pgproto3.Flush{})
	rc.expect("ParseComplete")
	rc.send(&pgproto3.Sync{})
	rc.expect("ReadyForQuery I")
}

func TestPortalRowLimit(t *testing.T) {
	ts := startServer(t, Config{})
	rc, _ := startupRaw(t, ts.addr)

	rc.send(&pgproto3.Parse{Query: "ints 5"}, &pgproto3.Bind{ResultFormatCodes: []int16{1}},
		&pgproto3.Execute{MaxRows: 2}, &pgproto3.Flush{})
	rc.expect("ParseComplete", "BindComplete")
	if dr := rc.recv().(*pgproto3.DataRow); string(dr.Values[0]) != "\x00\x00\x00\x01" {
		t.Fatalf("binary int4: %q", dr.Values[0])
	}
	rc.recv()
	rc.expect("PortalSuspended")

	rc.send(&pgproto3.Bind{DestinationPortal: "p", Parameters: nil}, &pgproto3.Flush{})
	rc.expect("BindComplete") // the named portal gets the unnamed statement "ints 5"

	// Resuming counts only this Execute's rows, like PostgreSQL.
	rc.send(&pgproto3.Execute{MaxRows: 2}, &pgproto3.Execute{Portal: "p", MaxRows: 4}, &pgproto3.Execute{}, &pgproto3.Flush{})
	rc.recv()
	rc.recv()
	rc.expect("PortalSuspended",
		"DataRow 1", "DataRow 2", "DataRow 3", "DataRow 4", "PortalSuspended")
	rc.recv()
	rc.expect("CommandComplete SELECT 1")

	// Exactly the remaining rows: suspended, then an empty completion.
	rc.send(&pgproto3.Execute{Portal: "p", MaxRows: 1}, &pgproto3.Execute{Portal: "p", MaxRows: 1}, &pgproto3.Execute{Portal: "p"}, &pgproto3.Sync{})
	rc.expect("DataRow 5", "PortalSuspended", "CommandComplete SELECT 0", "CommandComplete SELECT 0", "ReadyForQuery I")

	// Sync outside a block closed the portals.
	rc.send(&pgproto3.Execute{Portal: "p"}, &pgproto3.Sync{})
	rc.expect("ErrorResponse ERROR 34000", "ReadyForQuery I")

	// Inside a block, a named portal survives Sync until COMMIT.
	rc.send(&pgproto3.Query{String: "begin"})
	rc.expect("CommandComplete BEGIN", "ReadyForQuery T")
	rc.send(&pgproto3.Parse{Name: "five", Query: "ints 5"}, &pgproto3.Bind{DestinationPortal: "c", PreparedStatement: "five"},
		&pgproto3.Execute{Portal: "c", MaxRows: 3}, &pgproto3.Sync{})
	rc.expect("ParseComplete", "BindComplete", "DataRow 1", "DataRow 2", "DataRow 3", "PortalSuspended", "ReadyForQuery T")
	rc.send(&pgproto3.Execute{Portal: "c", MaxRows: 3}, &pgproto3.Sync{})
	rc.expect("DataRow 4", "DataRow 5", "CommandComplete SELECT 2", "ReadyForQuery T")
	rc.send(&pgproto3.Query{String: "commit"})
	rc.expect("CommandComplete COMMIT", "ReadyForQuery I")
	rc.send(&pgproto3.Execute{Portal: "c"}, &pgproto3.Sync{})
	rc.expect("ErrorResponse ERROR 34000", "ReadyForQuery I")

	// A non-row portal cannot run twice.
	rc.send(&pgproto3.Parse{Query: "set a b"}, &pgproto3.Bind{}, &pgproto3.Execute{}, &pgproto3.Execute{}, &pgproto3.Sync{})
	rc.expect("ParseComplete", "BindComplete", "ParameterStatus a=b", "CommandComplete SET", "ErrorResponse ERROR 55000", "ReadyForQuery I")
}

func TestLargeResultStreams(t *testing.T) {
	ts := startServer(t, Config{})
	conn := ts.connect(t)
	ctx := testCtx(t)
	rows, err := conn.Query(ctx, "ints 200000")
	if err != nil {
		t.Fatal(err)
	}
	var sum, n int64
	for rows.Next() {
		var v int32
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		sum += int64(v)
		n++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != 200000 || sum != 200000*200001/2 || rows.CommandTag().String() != "SELECT 200000" {
		t.Fatalf("n=%d sum=%d tag=%s", n, sum, rows.CommandTag())
	}
}

func TestKeywords(t *testing.T) {
	for _, tc := range []struct {
		sql  string
		want string
	}{
		{"", ""},
		{"  COMMIT", "commit"},
		{"-- c\n/* a /* nested */ b */ (Rollback To sp", "rollback to"},
		{"end;", "end"},
		{"'x'", ""},
		{"/* unterminated", ""},
	} {
		if got := strings.Join(keywords(tc.sql, 2), " "); got != tc.want {
			t.Errorf("keywords(%q) = %q, want %q", tc.sql, got, tc.want)
		}
	}
	for sql, want := range map[string]bool{
		"commit": true, "END": true, "abort": true, " rollback": true, "": true, " ; -- x": true,
		"select 1": false, "begin": false, "'x'": false, "; select": false,
	} {
		if got := isTxExit(sql); got != want {
			t.Errorf("isTxExit(%q) = %v", sql, got)
		}
	}
}
