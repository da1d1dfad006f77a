package kql

// Op is a scalar operation of the checked tree. The checker maps KQL's
// operators and functions onto these; a dialect writes each one in its
// engine's SQL. Arguments are already converted to the types an operation
// documents, so a dialect never has to guess.
type Op uint16

const (
	OpInvalid Op = iota

	// Arithmetic on numbers of the call's type (long, int, real, decimal).
	OpAdd
	OpSub
	OpMul
	OpDiv    // real division
	OpIntDiv // integer division, truncating toward zero
	OpMod
	OpNeg

	// Datetime and timespan arithmetic. Timespans are ticks (long).
	OpDatetimeAdd  // datetime + timespan ticks → datetime
	OpDatetimeDiff // datetime − datetime → timespan ticks

	// Comparisons of two arguments of one type. For strings, == and !=
	// compare case-sensitively and treat null as "".
	OpEq
	OpNe
	OpLt
	OpLe
	OpGt
	OpGe
	OpEqCI // =~ on strings
	OpNeCI // !~ on strings

	// Logic on bools.
	OpAnd
	OpOr
	OpNot

	// String predicates: Args are (text, pattern); null text is "".
	OpContains
	OpContainsCS
	OpHas // whole term, case-insensitive
	OpHasCS
	OpHasPrefix
	OpHasPrefixCS
	OpHasSuffix
	OpHasSuffixCS
	OpStartsWith
	OpStartsWithCS
	OpEndsWith
	OpEndsWithCS
	OpMatchesRegex
	OpHasAny // Args[0] has any of the terms Args[1:]
	OpHasAll

	// OpIn is Args[0] in (Args[1:]); OpInCI compares strings without regard to case.
	OpIn
	OpInCI
	// OpInArray is Args[0] in the elements of the dynamic array Args[1].
	OpInArray

	// Conditionals.
	OpIff      // (cond, then, else)
	OpCase     // (cond1, value1, cond2, value2, …, else)
	OpCoalesce // first non-null (for strings, non-empty) argument
	OpIsNull
	OpIsNotNull
	OpIsEmpty // null, or "" for strings
	OpIsNotEmpty

	// Conversions to the call's type from the argument's type. Failed
	// conversions give null.
	OpToString
	OpToLong
	OpToInt
	OpToReal
	OpToDecimal
	OpToBool
	OpToDatetime
	OpToTimespan
	OpToDynamic // parse JSON text (todynamic, parse_json); a dynamic argument passes through
	OpToGUID
	OpToDynamicValue // wrap any scalar as a dynamic value (for bag_pack, make_list)

	// Strings.
	OpStrcat
	OpStrcatDelim // (delimiter, a, b, …)
	OpStrlen
	OpToLower
	OpToUpper
	OpSubstring    // (text, start from 0, [length])
	OpIndexOf      // (text, lookup) → position from 0, -1 if absent
	OpSplit        // (text, delimiter) → dynamic array of strings
	OpSplitPart    // (text, delimiter, index from 0) → string, "" if absent
	OpReplaceRegex // (text, regex, rewrite)
	OpReplaceString
	OpExtract // (regex, group, text) → string
	OpTrim    // (regex, text)
	OpTrimStart
	OpTrimEnd
	OpReverse
	OpStrcatArray // (array, delimiter)
	OpCountOf     // (text, search) → long
	OpHashSHA256
	OpHashMD5
	OpNewGUID

	// Numbers.
	OpRound // (x, digits)
	OpFloor // floor(x) for a real
	OpBin   // (x, size) for numbers: floor(x / size) * size
	OpCeiling
	OpAbs
	OpSqrt
	OpPow
	OpLog
	OpLog10
	OpLog2
	OpExp
	OpMaxOf
	OpMinOf
	OpIsNaN
	OpIsFinite

	// Datetimes.
	OpBinDatetime   // (datetime, ticks): bins aligned to 0001-01-01 as Kusto does
	OpStartOf       // Part is day, week, month or year
	OpEndOf         // Part is day, week, month or year
	OpDatetimePart  // Part names the unit → long
	OpDatetimeDiffU // Part names the unit; (a, b) → long count of a − b
	OpDatetimeAddU  // Part names the unit; (amount, datetime)
	OpFormatDT      // Part is a .NET-style format: yyyy-MM-dd HH:mm:ss.fff
	OpDayOfWeek     // → timespan: days since Sunday
	OpFormatTimespanText
	OpUnixSecondsToDT
	OpUnixMillisToDT
	OpToUnixSeconds

	// Dynamic values (JSON).
	OpMember      // Args[0] at Path
	OpIndex       // (dynamic, index) with a computed index
	OpBagPack     // (key1, value1, …): values already dynamic
	OpPackArray   // (value1, …): values already dynamic
	OpBagMerge    // (bag1, bag2, …): the first bag's keys win
	OpArrayLength // → long, null for a non-array
	OpArraySortAsc
	OpArraySortDesc
	OpArrayConcat
	OpSetHasElement
	OpArrayIndexOf
	OpBagKeys
	OpArraySlice // (array, start, end)
	OpGetType    // → string: the type of a dynamic value
	OpParseUserAgent
	OpArraySortColumn // (index, array1, …): array i of arrays sorted by array1 (see array_sort_asc)
	OpArraySortColumnDesc

	opCount
)

var opNames = map[Op]string{
	OpAdd: "+", OpSub: "-", OpMul: "*", OpDiv: "/", OpIntDiv: "div", OpMod: "%", OpNeg: "neg",
	OpDatetimeAdd: "datetime+", OpDatetimeDiff: "datetime-",
	OpEq: "==", OpNe: "!=", OpLt: "<", OpLe: "<=", OpGt: ">", OpGe: ">=", OpEqCI: "=~", OpNeCI: "!~",
	OpAnd: "and", OpOr: "or", OpNot: "not",
	OpContains: "contains", OpContainsCS: "contains_cs", OpHas: "has", OpHasCS: "has_cs",
	OpHasPrefix: "hasprefix", OpHasPrefixCS: "hasprefix_cs", OpHasSuffix: "hassuffix", OpHasSuffixCS: "hassuffix_cs",
	OpStartsWith: "startswith", OpStartsWithCS: "startswith_cs", OpEndsWith: "endswith", OpEndsWithCS: "endswith_cs",
	OpMatchesRegex: "matches regex", OpHasAny: "has_any", OpHasAll: "has_all",
	OpIn: "in", OpInCI: "in~", OpInArray: "in(array)",
	OpIff: "iff", OpCase: "case", OpCoalesce: "coalesce", OpIsNull: "isnull", OpIsNotNull: "isnotnull",
	OpIsEmpty: "isempty", OpIsNotEmpty: "isnotempty",
	OpToString: "tostring", OpToLong: "tolong", OpToInt: "toint", OpToReal: "toreal", OpToDecimal: "todecimal",
	OpToBool: "tobool", OpToDatetime: "todatetime", OpToTimespan: "totimespan", OpToDynamic: "todynamic",
	OpToGUID: "toguid", OpToDynamicValue: "dynamic",
	OpStrcat: "strcat", OpStrcatDelim: "strcat_delim", OpStrlen: "strlen", OpToLower: "tolower", OpToUpper: "toupper",
	OpSubstring: "substring", OpIndexOf: "indexof", OpSplit: "split", OpSplitPart: "split_part",
	OpReplaceRegex: "replace_regex", OpReplaceString: "replace_string", OpExtract: "extract",
	OpTrim: "trim", OpTrimStart: "trim_start", OpTrimEnd: "trim_end", OpReverse: "reverse",
	OpStrcatArray: "strcat_array", OpCountOf: "countof", OpHashSHA256: "hash_sha256", OpHashMD5: "hash_md5",
	OpNewGUID: "new_guid",
	OpRound:   "round", OpFloor: "floor", OpBin: "bin", OpCeiling: "ceiling", OpAbs: "abs", OpSqrt: "sqrt",
	OpPow: "pow", OpLog: "log", OpLog10: "log10", OpLog2: "log2", OpExp: "exp", OpMaxOf: "max_of", OpMinOf: "min_of",
	OpIsNaN: "isnan", OpIsFinite: "isfinite",
	OpBinDatetime: "bin(datetime)", OpStartOf: "startof", OpEndOf: "endof", OpDatetimePart: "datetime_part",
	OpDatetimeDiffU: "datetime_diff", OpDatetimeAddU: "datetime_add", OpFormatDT: "format_datetime",
	OpDayOfWeek: "dayofweek", OpFormatTimespanText: "tostring(timespan)",
	OpUnixSecondsToDT: "unixtime_seconds_todatetime", OpUnixMillisToDT: "unixtime_milliseconds_todatetime",
	OpToUnixSeconds: "to_unixtime",
	OpMember:        "member", OpIndex: "index", OpBagPack: "bag_pack", OpPackArray: "pack_array", OpBagMerge: "bag_merge",
	OpArrayLength: "array_length", OpArraySortAsc: "array_sort_asc", OpArraySortDesc: "array_sort_desc",
	OpArrayConcat: "array_concat", OpSetHasElement: "set_has_element", OpArrayIndexOf: "array_index_of",
	OpBagKeys: "bag_keys", OpArraySlice: "array_slice", OpGetType: "gettype", OpParseUserAgent: "parse_user_agent",
	OpArraySortColumn: "array_sort_asc(n)", OpArraySortColumnDesc: "array_sort_desc(n)",
}

func (o Op) String() string {
	if n, ok := opNames[o]; ok {
		return n
	}
	return "op?"
}

// Window operations (in Window.Op).
const (
	WinPrev         Op = 1000 + iota // (expr, offset, default)
	WinNext                          // (expr, offset, default)
	WinRowNumber                     // (start)
	WinRowRankDense                  // (term): starts at 1, grows when term changes
	WinRowRankMin                    // (term)
	WinRowCumsum                     // (expr)

	// WinChanged is 1 where the term differs from the previous row's,
	// else 0. Generators compute it beneath the rank functions, whose SQL
	// is a running sum over it (window functions do not nest).
	WinChanged
)
