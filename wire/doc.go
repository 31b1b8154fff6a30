// Package wire serves the PostgreSQL frontend/backend protocol (version
// 3.0) on top of github.com/jackc/pgx/v5/pgproto3 and hands statements to an
// Engine. The wire knows the protocol and nothing about SQL beyond the
// leading keywords of transaction control; the engine knows SQL and nothing
// about the protocol.
//
// # Connection lifecycle
//
// Server.Serve accepts connections and starts one goroutine per connection
// (serveConn), which owns it until the end:
//
//  1. Startup. SSLRequest and GSSEncRequest are declined with 'N' and the
//     client continues in plaintext. A CancelRequest cancels the running
//     statement of the session whose BackendKey matches and closes the
//     connection without a reply. A StartupMessage is admitted against
//     Config.MaxConnections (FATAL 53300 beyond it), given a BackendKey
//     (sequential ProcessID, random SecretKey) and passed to Engine.Connect;
//     an error there is sent as FATAL. Authentication is trust: the wire
//     sends AuthenticationOk, the session's ParameterStatus, BackendKeyData
//     and ReadyForQuery('I').
//
//  2. Serving. A reader goroutine receives messages, copies them out of
//     pgproto3's reused buffers and passes them over an unbuffered channel
//     to the session loop, which handles them one at a time. The reader
//     exists so that a client that vanishes during a long statement is
//     noticed: its read error cancels the connection context, and with it
//     the statement. Because the channel is unbuffered the reader is at most
//     one message ahead, and TCP throttles a pipelining client.
//
//  3. End. The connection ends on Terminate; on a read or write failure (a
//     write that exceeds Config.WriteTimeout counts, so a client that stops
//     reading cannot pin its session); on a malformed message (FATAL 08P01);
//     on a FATAL error from the engine; or on Shutdown (FATAL 57P01). The
//     portals' iterators are closed, then Session.Close is called exactly
//     once.
//
// # Statements
//
// A Query message is prepared with Session.Prepare and each statement is
// executed in order until one fails. The extended protocol keeps prepared
// statements and portals per connection; after an error it discards input
// until Sync. Execute with a row limit leaves the RowIter open in the portal
// and answers PortalSuspended; rows are always streamed as the iterator
// produces them, flushing every 8 KiB.
//
// The transaction status reported in ReadyForQuery is derived from command
// tags (BEGIN, START TRANSACTION, COMMIT, ROLLBACK). After an error inside a
// block, every statement but COMMIT, END, ROLLBACK and ABORT fails with
// 25P02 without reaching the engine.
//
// # Cancellation and errors
//
// Each engine call runs under a context derived from the connection's; a
// CancelRequest cancels it and an uncoded error then becomes 57014.
// Shutdown cancels every connection context and turns the statement's
// failure into FATAL 57P01. Panics in the engine or the codec are recovered
// per call and reported as XX000; the session stays usable. Errors without a
// SQLSTATE are reported as XX000 and logged once.
package wire
