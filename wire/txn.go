package wire

import (
	"strings"

	"streamsqld/sql/pgerror"
)

// The wire derives the transaction status of ReadyForQuery from command
// tags instead of asking the engine, so that an engine needs no protocol
// knowledge. Only the failed state ('E') is enforced here.

// completeTag applies a successful statement's tag to the transaction
// status and returns the tag to send.
func (c *conn) completeTag(sql, tag string) string {
	switch tag {
	case "BEGIN", "START TRANSACTION":
		if c.tx == txIdle {
			c.tx = txInBlock
		}
	case "COMMIT":
		if c.tx == txFailed {
			// PostgreSQL reports a COMMIT of a failed transaction as
			// the rollback it is.
			tag = "ROLLBACK"
		}
		c.tx = txIdle
	case "ROLLBACK":
		if kw := keywords(sql, 2); len(kw) == 2 && kw[0] == "rollback" && kw[1] == "to" {
			// ROLLBACK TO SAVEPOINT recovers a failed block and stays in it.
			if c.tx == txFailed {
				c.tx = txInBlock
			}
			break
		}
		c.tx = txIdle
	}
	return tag
}

// afterError moves an open transaction block to the failed state.
func (c *conn) afterError() {
	if c.tx == txInBlock {
		c.tx = txFailed
	}
}

// abortedCheck returns 25P02 when the transaction has failed and sql does
// not end it.
func (c *conn) abortedCheck(sql string) error {
	if c.tx != txFailed || isTxExit(sql) {
		return nil
	}
	return pgerror.New(pgerror.InFailedSQLTransaction,
		"current transaction is aborted, commands ignored until end of transaction block")
}

// isTxExit reports whether sql may run in a failed transaction: the
// statements that end it, and the empty query.
func isTxExit(sql string) bool {
	kw := keywords(sql, 1)
	if len(kw) == 0 {
		return isBlank(sql)
	}
	switch kw[0] {
	case "commit", "end", "rollback", "abort":
		return true
	}
	return false
}

// isBlank reports whether sql holds no statement: only white space,
// comments and semicolons.
func isBlank(sql string) bool {
	for i := skipSpace(sql, 0); i < len(sql); i = skipSpace(sql, i+1) {
		if sql[i] != ';' {
			return false
		}
	}
	return true
}

// keywords returns up to n leading words of sql in lower case, skipping
// white space, comments and opening parentheses.
func keywords(sql string, n int) []string {
	var out []string
	for i := skipSpace(sql, 0); len(out) < n && i < len(sql); i = skipSpace(sql, i) {
		switch ch := sql[i]; {
		case ch == '(':
			i++
		case isIdentByte(ch):
			j := i
			for j < len(sql) && isIdentByte(sql[j]) {
				j++
			}
			out = append(out, strings.ToLower(sql[i:j]))
			i = j
		default:
			return out
		}
	}
	return out
}

// skipSpace returns the index of the first byte at or after i that is not
// white space or part of a comment.
func skipSpace(sql string, i int) int {
	for i < len(sql) {
		switch {
		case sql[i] == ' ' || sql[i] == '\t' || sql[i] == '\n' || sql[i] == '\r' || sql[i] == '\f':
			i++
		case strings.HasPrefix(sql[i:], "--"):
			nl := strings.IndexByte(sql[i:], '\n')
			if nl < 0 {
				return len(sql)
			}
			i += nl + 1
		case strings.HasPrefix(sql[i:], "/*"):
			// PostgreSQL block comments nest.
			depth := 0
			for i < len(sql) {
				if strings.HasPrefix(sql[i:], "/*") {
					depth++
					i += 2
				} else if strings.HasPrefix(sql[i:], "*/") {
					depth--
					i += 2
					if depth == 0 {
						break
					}
				} else {
					i++
				}
			}
		default:
			return i
		}
	}
	return i
}

func isIdentByte(ch byte) bool {
	return ch == '_' || ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch >= 0x80
}
