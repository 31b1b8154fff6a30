// Package pgerror carries a PostgreSQL SQLSTATE with an error through every
// layer, so the wire can send the right code however the error was wrapped.
package pgerror

import (
	"errors"
	"fmt"
)

// SQLSTATE codes used by streamsqld. Names follow PostgreSQL's errcodes.txt.
const (
	SuccessfulCompletion          = "00000"
	Warning                       = "01000"
	FeatureNotSupported           = "0A000"
	InvalidCatalogName            = "3D000"
	InvalidSchemaName             = "3F000"
	SyntaxError                   = "42601"
	UndefinedTable                = "42P01"
	UndefinedColumn               = "42703"
	UndefinedFunction             = "42883"
	UndefinedObject               = "42704"
	UndefinedParameter            = "42P02"
	AmbiguousColumn               = "42702"
	DuplicateTable                = "42P07"
	DuplicateObject               = "42710"
	DuplicateColumn               = "42701"
	DatatypeMismatch              = "42804"
	GroupingError                 = "42803"
	WrongObjectType               = "42809"
	InvalidColumnReference        = "42P10"
	InsufficientPrivilege         = "42501"
	StatementTooComplex           = "54001"
	ProgramLimitExceeded          = "54000"
	TooManyConnections            = "53300"
	DependentObjectsStillExist    = "2BP01"
	InvalidTextRepresentation     = "22P02"
	InvalidParameterValue         = "22023"
	NumericValueOutOfRange        = "22003"
	DivisionByZero                = "22012"
	InvalidDatetimeFormat         = "22007"
	DatetimeFieldOverflow         = "22008"
	StringDataRightTruncation     = "22001"
	InvalidRegularExpression      = "2201B"
	InvalidBinaryRepresentation   = "22P03"
	DataException                 = "22000"
	NullValueNotAllowed           = "22004"
	InvalidEscapeSequence         = "22025"
	CardinalityViolation          = "21000"
	ProtocolViolation             = "08P01"
	InvalidSQLStatementName       = "26000"
	InvalidCursorName             = "34000"
	DuplicatePreparedStatement    = "42P05"
	DuplicateCursor               = "42P03"
	InvalidTransactionState       = "25000"
	ReadOnlySQLTransaction        = "25006"
	InFailedSQLTransaction        = "25P02"
	ActiveSQLTransaction          = "25001"
	NoActiveSQLTransaction        = "25P01"
	QueryCanceled                 = "57014"
	AdminShutdown                 = "57P01"
	ObjectNotInPrerequisiteState  = "55000"
	ConfigFileError               = "F0000"
	UndefinedParameterName        = "42P02"
	CantChangeRuntimeParam        = "55P02"
	InvalidName                   = "42602"
	SystemError                   = "58000"
	DiskFull                      = "53100"
	InternalError                 = "XX000"
	InvalidAuthorizationSpec      = "28000"
	ConnectionException           = "08000"
	ConnectionFailure             = "08006"
	InvalidParameterValueSetting  = "22023"
	InvalidPreparedStatementDef   = "42P14"
	IndeterminateDatatype         = "42P18"
	UndefinedParameterPlaceholder = "42P02"
)

// Error is an error with a SQLSTATE and the optional fields of PostgreSQL's
// ErrorResponse.
type Error struct {
	Code     string
	Message  string
	Detail   string
	Hint     string
	Position int // 1-based character position in the query text, 0 when unknown
	Severity string
	cause    error
}

func (e *Error) Error() string { return e.Message }
func (e *Error) Unwrap() error { return e.cause }

// New returns an error with the given SQLSTATE.
func New(code, msg string) *Error { return &Error{Code: code, Message: msg} }

// Newf returns an error with the given SQLSTATE and a formatted message.
func Newf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap gives err a SQLSTATE unless it already carries one.
func Wrap(err error, code string) error {
	if err == nil {
		return nil
	}
	var pe *Error
	if errors.As(err, &pe) {
		return err
	}
	return &Error{Code: code, Message: err.Error(), cause: err}
}

// WithHint returns e with a hint attached.
func (e *Error) WithHint(h string) *Error { e.Hint = h; return e }

// WithDetail returns e with a detail attached.
func (e *Error) WithDetail(d string) *Error { e.Detail = d; return e }

// WithPosition returns e with a 1-based query position attached.
func (e *Error) WithPosition(p int) *Error { e.Position = p; return e }

// Flatten returns the *Error carried by err, or an internal error (XX000)
// wrapping it when it carries none.
func Flatten(err error) *Error {
	var pe *Error
	if errors.As(err, &pe) {
		return pe
	}
	return &Error{Code: InternalError, Message: err.Error(), cause: err}
}

// Code returns err's SQLSTATE, XX000 when it carries none.
func Code(err error) string { return Flatten(err).Code }
