package schema

// ErrorsTable is the table that keeps every record ingestion could not store,
// with the raw text and the reason, so that nothing sent is lost silently.
const ErrorsTable = "IngestionErrors"

// Columns of the ingestion-errors table.
const (
	ErrSource    = "Source"    // where the record came from: "http <remote address>" or a file path
	ErrPosition  = "Position"  // where in that body or file: record index, line, byte offset
	ErrCategory  = "Category"  // category named by the record, if any
	ErrTable     = "TableName" // table the record was meant for, if known
	ErrReason    = "Reason"    // why it could not be stored
	ErrRawRecord = "RawRecord" // the record as received (possibly cut at the record size limit)
)

// UsageTable records, per hour and table, how much data a workspace holds:
// the Log Analytics Usage table's columns, with the record count added.
const UsageTable = "Usage"

// Columns of the usage table.
const (
	UsageStartTime    = "StartTime"    // the hour
	UsageEndTime      = "EndTime"      // the end of the hour
	UsageDataType     = "DataType"     // the table
	UsageSolution     = "Solution"     // always LogManagement
	UsageQuantity     = "Quantity"     // megabytes (10^6 bytes) of _BilledSize
	UsageQuantityUnit = "QuantityUnit" // always MBytes
	UsageIsBillable   = "IsBillable"
	UsageRecords      = "Records" // callscope's addition: the number of records
)

// ownTables are the tables callscope writes itself.
var ownTables = []*Table{errorsTable, usageTable}

var usageTable = &Table{
	Name: UsageTable,
	Columns: []Column{
		{Name: TimeGenerated, Type: DateTime},
		{Name: UsageStartTime, Type: DateTime},
		{Name: UsageEndTime, Type: DateTime},
		{Name: UsageDataType, Type: String},
		{Name: UsageSolution, Type: String},
		{Name: UsageQuantity, Type: Real},
		{Name: UsageQuantityUnit, Type: String},
		{Name: UsageIsBillable, Type: Bool},
		{Name: UsageRecords, Type: Long},
		{Name: SourceSystem, Type: String, Derived: DerivedConstant, Value: "callscope"},
		{Name: TenantID, Type: String},
		{Name: TypeColumn, Type: String},
	},
}

var errorsTable = &Table{
	Name: ErrorsTable,
	Columns: []Column{
		{Name: TimeGenerated, Type: DateTime},
		{Name: ErrSource, Type: String},
		{Name: ErrPosition, Type: String},
		{Name: ErrCategory, Type: String},
		{Name: ErrTable, Type: String},
		{Name: ErrReason, Type: String},
		{Name: ErrRawRecord, Type: String},
		{Name: TenantID, Type: String},
		{Name: TypeColumn, Type: String},
	},
}
