using System.Globalization;

namespace Madoguchi.Web.Features.Catalog.Import;

/// <summary>
/// One bad value: the row as the spreadsheet numbers it (the header is row 1, or row 2 under the
/// national survey's title; 0 = the header or the file itself), the column, the value as written
/// and how to fix it.
/// </summary>
public sealed record ImportError(int Row, string Column, string Value, string Reason)
{
    public override string ToString()
    {
        var where = Row > 0 ? $"行 {Row.ToString(CultureInfo.InvariantCulture)}" : "見出し行";
        if (Column.Length == 0) return Row > 0 ? $"{where}: {Reason}" : Reason;
        return $"{where}, 列 {Column}: 値 \"{Value}\" — {Reason}";
    }
}

public sealed record PlannedProcedure(string Code, string Name);

public sealed record PlannedChange(string Code, string Name, IReadOnlyList<ProcedureHistory.FieldChange> Changes);

/// <summary>How to import: the fiscal year the counts belong to, whether absent rows are removed, and who does it.</summary>
public sealed record ImportOptions
{
    /// <summary>Shown in the history as "import: &lt;name&gt;"; defaults to the file's name.</summary>
    public string? FileName { get; init; }
    /// <summary>Fiscal year of the counts; null means the last completed fiscal year, Japan time.</summary>
    public int? VolumesFiscalYear { get; init; }
    /// <summary>Remove procedures that the file does not list.</summary>
    public bool Replace { get; init; }
    /// <summary>"cli" or the staff member's e-mail.</summary>
    public string Actor { get; init; } = "cli";
}

/// <summary>What an import will do (or did): added, changed with field diffs, unchanged, removed, or why nothing can be done.</summary>
public sealed class ImportPlan
{
    public required string FileName { get; init; }
    public InventoryLayout? Layout { get; set; }
    public int VolumesFiscalYear { get; init; }
    public bool Replace { get; init; }
    public List<ImportError> Errors { get; } = [];
    public List<PlannedProcedure> Added { get; } = [];
    public List<PlannedChange> Changed { get; } = [];
    public List<PlannedProcedure> Unchanged { get; } = [];
    public List<PlannedProcedure> Removed { get; } = [];
    /// <summary>部/課/係 the import will create.</summary>
    public List<string> NewDepartments { get; } = [];
    /// <summary>True once the plan has been written to the database.</summary>
    public bool Applied { get; set; }

    public bool IsValid => Errors.Count == 0;

    /// <summary>Deterministic summary for `--format json` and the API.</summary>
    public object ToSummary() => new
    {
        file = FileName,
        layout = Layout?.ToString().ToLowerInvariant(),
        volumesFiscalYear = VolumesFiscalYear,
        replace = Replace,
        applied = Applied,
        counts = new { added = Added.Count, changed = Changed.Count, unchanged = Unchanged.Count, removed = Removed.Count, errors = Errors.Count },
        newDepartments = NewDepartments,
        added = Added.Select(p => p.Code),
        changed = Changed.Select(c => new { code = c.Code, changes = c.Changes.Select(f => new { field = f.Field, old = f.Old, @new = f.New }) }),
        removed = Removed.Select(p => p.Code),
        errors = Errors.Select(e => new { row = e.Row, column = e.Column, value = e.Value, reason = e.Reason, message = e.ToString() }),
    };
}

/// <summary>The file is refused before it is read (too large, missing).</summary>
public sealed class ImportRefusedException(string message) : Exception(message);
