using System.Globalization;
using CsvHelper;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Metering.ServiceDefaults;

namespace Metering.Query.Monthly;

/// <summary>
/// The monthly report as CSV and XLSX: the same header block (month, status, generatedAt, checksum and the filters),
/// then one table of the rows and the adjustments, told apart by their first column, <c>kind</c>.
/// </summary>
internal static class MonthlyReportExport
{
    public const string CsvContentType = "text/csv";
    public const string XlsxContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    /// <summary>The columns of the table; a row leaves window_start and received_at empty.</summary>
    public static readonly string[] Columns = ["kind", "account", "team", "meter", "unit", "value", "window_start", "received_at"];

    /// <summary>
    /// CSV (RFC 4180): the header block as <c># name: value</c> comment lines, then the table with its header line.
    /// </summary>
    public static string ToCsv(MonthlyReport report, IEnumerable<(string Name, string Value)> filters)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = CsvWriter.Create(text, new CsvWriterOptions { CommentPrefix = '#' }, leaveOpen: true))
        {
            foreach (var (name, value) in HeaderBlock(report, filters))
            {
                csv.WriteComment($" {name}: {value}");
            }

            csv.WriteHeader(Columns);
            foreach (var record in Records(report))
            {
                csv.WriteRecord([.. record.Select(v => v is double d ? d.ToString("R", CultureInfo.InvariantCulture) : (string)v)]);
            }
        }

        return text.ToString();
    }

    /// <summary>XLSX: one sheet, <c>Report</c>, with the header block as name/value rows, an empty row, then the table.</summary>
    public static byte[] ToXlsx(MonthlyReport report, IEnumerable<(string Name, string Value)> filters)
    {
        using var stream = new MemoryStream();
        using (var document = SpreadsheetDocument.Create(stream, SpreadsheetDocumentType.Workbook))
        {
            var workbook = document.AddWorkbookPart();
            workbook.Workbook = new Workbook();
            var sheetPart = workbook.AddNewPart<WorksheetPart>();
            var data = new SheetData();
            sheetPart.Worksheet = new Worksheet(data);
            foreach (var (name, value) in HeaderBlock(report, filters))
            {
                data.AppendChild(Row(name, value));
            }

            data.AppendChild(new Row());
            data.AppendChild(Row([.. Columns]));
            foreach (var record in Records(report))
            {
                data.AppendChild(Row(record));
            }

            workbook.Workbook.AppendChild(new Sheets(new Sheet { Id = workbook.GetIdOfPart(sheetPart), SheetId = 1, Name = "Report" }));
        }

        return stream.ToArray();
    }

    /// <summary>month, status, generatedAt, checksum, then one <c>filter</c> line per filter value.</summary>
    private static IEnumerable<(string Name, string Value)> HeaderBlock(MonthlyReport report, IEnumerable<(string Name, string Value)> filters)
    {
        yield return ("month", report.Month);
        yield return ("status", report.Status);
        yield return ("generatedAt", Rfc3339UtcConverter.Format(report.GeneratedAt));
        yield return ("checksum", report.Checksum);
        foreach (var (name, value) in filters)
        {
            yield return ("filter", $"{name}={value}");
        }
    }

    /// <summary>The table's records: strings and numbers (doubles) in the order of <see cref="Columns"/>.</summary>
    private static IEnumerable<object[]> Records(MonthlyReport report)
    {
        foreach (var r in report.Rows)
        {
            yield return ["row", r.Account, r.Team, r.Meter, r.Unit, r.Value, "", ""];
        }

        foreach (var a in report.Adjustments)
        {
            yield return ["adjustment", a.Account, a.Team, a.Meter, a.Unit, a.Value,
                Rfc3339UtcConverter.Format(a.WindowStart), Rfc3339UtcConverter.Format(a.ReceivedAt)];
        }
    }

    private static Row Row(params object[] values)
    {
        var row = new Row();
        foreach (var value in values)
        {
            row.AppendChild(value is double number
                ? new Cell { DataType = CellValues.Number, CellValue = new CellValue(number) }
                : new Cell { DataType = CellValues.InlineString, InlineString = new InlineString(new Text((string)value)) });
        }

        return row;
    }
}
