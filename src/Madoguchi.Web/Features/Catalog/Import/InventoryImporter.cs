using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Audit;
using Microsoft.EntityFrameworkCore;
using Madoguchi.Web.Features.Platform;
using Madoguchi.Web.Shared.Japanese;

namespace Madoguchi.Web.Features.Catalog.Import;

/// <summary>
/// Imports an inventory file (municipal sheet or national survey; CSV in any encoding or XLSX).
/// <see cref="PlanAsync"/> reads and validates without writing; <see cref="ImportAsync"/> also
/// applies the plan in one transaction, or writes nothing when any row is bad.
/// </summary>
/// <param name="audit">The trail on the same scoped context (from DI); null only where tests build an importer by hand.</param>
public sealed class InventoryImporter(MadoguchiDbContext db, TimeProvider clock, IConfiguration configuration, AuditTrail? audit = null)
{
    public const string MaxBytesSetting = "Madoguchi:Inventory:MaxImportBytes";
    public const long DefaultMaxBytes = 100L * 1024 * 1024;

    /// <summary>The size limit for imported files (configurable, default 100 MB).</summary>
    public long MaxBytes => configuration.GetValue<long?>(MaxBytesSetting) is long v and > 0 ? v : DefaultMaxBytes;

    /// <summary>Reads and validates the file and compares it with the database; writes nothing.</summary>
    /// <exception cref="ImportRefusedException">The file is missing or larger than the limit.</exception>
    public Task<ImportPlan> PlanAsync(string path, ImportOptions options, CancellationToken ct = default)
        => RunAsync(path, options, apply: false, ct);

    /// <summary>Plans, and when no row is bad applies the plan in one transaction (history included).</summary>
    /// <exception cref="ImportRefusedException">The file is missing or larger than the limit.</exception>
    public Task<ImportPlan> ImportAsync(string path, ImportOptions options, CancellationToken ct = default)
        => RunAsync(path, options, apply: true, ct);

    /// <summary>Refuses a file over the limit before reading a byte of it.</summary>
    public void CheckSize(long length)
    {
        if (length > MaxBytes)
        {
            throw new ImportRefusedException(
                $"ファイルが大きすぎます（{FormatBytes(length)}）。取り込めるのは {FormatBytes(MaxBytes)} までです。" +
                $"ファイルを分けるか、設定 {MaxBytesSetting} で上限を変えてください。");
        }
    }

    public static string FormatBytes(long bytes) => bytes >= 1024 * 1024
        ? $"{(bytes / (1024.0 * 1024.0)).ToString("0.#", CultureInfo.InvariantCulture)} MB（{bytes.ToString("N0", CultureInfo.InvariantCulture)} バイト）"
        : $"{bytes.ToString("N0", CultureInfo.InvariantCulture)} バイト";

    private async Task<ImportPlan> RunAsync(string path, ImportOptions options, bool apply, CancellationToken ct)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new ImportRefusedException($"ファイル {path} が見つかりません。");
        CheckSize(info.Length);
        var fiscalYear = options.VolumesFiscalYear ?? Wareki.LastCompletedFiscalYear(clock);
        var plan = new ImportPlan
        {
            FileName = options.FileName ?? info.Name,
            VolumesFiscalYear = fiscalYear,
            Replace = options.Replace,
        };
        if (info.Length == 0)
        {
            plan.Errors.Add(new ImportError(0, "", "", "ファイルが空です。見出し行とデータ行のある CSV または XLSX を選んでください。"));
            return plan;
        }

        var (parser, rows) = Read(path, plan);
        if (parser is null || !plan.IsValid) return plan;
        if (rows.Count == 0)
        {
            plan.Errors.Add(new ImportError(0, "", "", "見出し行だけでデータ行がありません。取り込む手続の行を追加してください。"));
            return plan;
        }

        // Everything the plan compares against is loaded once into dictionaries.
        var departments = await db.Departments.AsTracking(apply ? QueryTrackingBehavior.TrackAll : QueryTrackingBehavior.NoTracking)
            .ToDictionaryAsync(d => DepartmentKey(d.Bu, d.Ka, d.Kakari), StringComparer.Ordinal, ct);
        var byId = departments.Values.ToDictionary(d => d.Id);
        var procedures = await db.Procedures.AsTracking(apply ? QueryTrackingBehavior.TrackAll : QueryTrackingBehavior.NoTracking)
            .Include(p => p.Volumes).Include(p => p.LifeEvents).AsSplitQuery()
            .ToDictionaryAsync(p => p.Code, StringComparer.Ordinal, ct);
        foreach (var p in procedures.Values)
        {
            p.Department = p.DepartmentId is Guid id && byId.TryGetValue(id, out var d) ? d : null;
        }

        var now = clock.GetUtcNow();
        var newDepartments = new List<Department>();
        var added = new List<(Procedure Procedure, List<ProcedureHistory.FieldChange> Changes)>();
        var changed = new List<(Procedure Procedure, ChildChanges Children, List<ProcedureHistory.FieldChange> Changes)>();
        var listed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            listed.Add(row.Code);
            Department? department = null;
            if (parser.Present.Contains(InventoryField.Bu))
            {
                var key = DepartmentKey(row.Bu, row.Ka, row.Kakari);
                if (!departments.TryGetValue(key, out department))
                {
                    department = new Department { Bu = row.Bu, Ka = row.Ka, Kakari = row.Kakari };
                    departments[key] = department;
                    newDepartments.Add(department);
                    plan.NewDepartments.Add(department.DisplayName);
                }
            }
            if (procedures.TryGetValue(row.Code, out var existing))
            {
                var before = ProcedureHistory.Snapshot(existing);
                var children = Apply(row, existing, parser, department, fiscalYear);
                var diff = ProcedureHistory.Diff(before, ProcedureHistory.Snapshot(existing));
                if (diff.Count == 0)
                {
                    plan.Unchanged.Add(new PlannedProcedure(existing.Code, existing.Name));
                }
                else
                {
                    existing.UpdatedAt = now;
                    plan.Changed.Add(new PlannedChange(existing.Code, existing.Name, diff));
                    changed.Add((existing, children, diff));
                }
            }
            else
            {
                var p = new Procedure { Code = row.Code, Layout = parser.Layout, CreatedAt = now, UpdatedAt = now };
                Apply(row, p, parser, department, fiscalYear);
                plan.Added.Add(new PlannedProcedure(p.Code, p.Name));
                added.Add((p, apply ? ProcedureHistory.Diff(new Dictionary<string, string?>(), ProcedureHistory.Snapshot(p)) : []));
            }
        }
        var removed = options.Replace
            ? procedures.Values.Where(p => !listed.Contains(p.Code)).OrderBy(p => p.Code, StringComparer.Ordinal).ToList()
            : [];
        plan.Removed.AddRange(removed.Select(p => new PlannedProcedure(p.Code, p.Name)));
        // A procedure with an application form stays: its published versions pin residents' drafts and submissions.
        if (removed.Count > 0)
        {
            var removedIds = removed.Select(p => p.Id).ToList();
            var withForms = await db.Forms.Where(f => removedIds.Contains(f.ProcedureId)).Select(f => new { f.ProcedureId, f.Slug }).ToListAsync(ct);
            foreach (var f in withForms)
            {
                var p = removed.First(x => x.Id == f.ProcedureId);
                plan.Errors.Add(new ImportError(0, "手続ID", p.Code, $"手続 {p.Code}（{p.Name}）には申請フォーム '{f.Slug}' があるため削除できません（--replace）。ファイルにこの手続の行を残してください。"));
            }
        }
        if (!apply || !plan.IsValid) return plan;

        await ApplyAsync(plan, options, newDepartments, added, changed, removed, now, ct);
        plan.Applied = true;
        return plan;
    }

    private async Task ApplyAsync(
        ImportPlan plan, ImportOptions options, List<Department> newDepartments,
        List<(Procedure Procedure, List<ProcedureHistory.FieldChange> Changes)> added,
        List<(Procedure Procedure, ChildChanges Children, List<ProcedureHistory.FieldChange> Changes)> changed,
        List<Procedure> removed, DateTimeOffset now, CancellationToken ct)
    {
        var source = "import: " + plan.FileName;
        var autoDetect = db.ChangeTracker.AutoDetectChangesEnabled;
        // Change detection over thousands of tracked entities dominates a bulk import: track by hand.
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        try
        {
            db.Departments.AddRange(newDepartments);
            foreach (var (p, children, changes) in changed)
            {
                db.Entry(p).DetectChanges();
                foreach (var v in children.Modified) db.Entry(v).DetectChanges();
                foreach (var o in children.Added) db.Add(o);
                foreach (var o in children.Removed) db.Remove(o);
                db.ProcedureChanges.Add(ProcedureHistory.Entry(p.Id, p.Code, changes, options.Actor, source, now)!);
            }
            // A removed procedure keeps its history (no cascade), ending with what it held when removed.
            foreach (var p in removed)
            {
                var last = ProcedureHistory.Snapshot(p).Where(kv => !string.IsNullOrEmpty(kv.Value))
                    .Select(kv => new ProcedureHistory.FieldChange(kv.Key, kv.Value, null))
                    .Append(new ProcedureHistory.FieldChange("Deleted", null, "棚卸表にないため削除（--replace）"));
                db.ProcedureChanges.Add(ProcedureHistory.Entry(p.Id, p.Code, [.. last], options.Actor, source, now)!);
            }
            db.Procedures.RemoveRange(removed);
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();

            // New procedures skip the change tracker: prepared commands in the same transaction (see ProcedureBulkInsert).
            await using (var insert = ProcedureBulkInsert.Create(db))
            {
                foreach (var (p, changes) in added)
                {
                    await insert.AddAsync(p, ProcedureHistory.Entry(p.Id, p.Code, changes, options.Actor, source, now), ct);
                }
                await insert.WriteAsync(ct);
            }
            // In the import's transaction: the entry exists exactly when the import does. No file content, only counts.
            if (audit is not null)
            {
                await audit.AppendAsync(new AuditEvent(AuditActions.InventoryImported, "inventory", null)
                {
                    Detail = $"file={plan.FileName} added={added.Count} changed={changed.Count} removed={removed.Count} departments={newDepartments.Count}",
                }, ct);
            }
            await tx.CommitAsync(ct);
        }
        finally
        {
            db.ChangeTracker.AutoDetectChangesEnabled = autoDetect;
        }
    }

    /// <summary>Streams the file into validated rows; stops keeping rows once errors appear, but keeps reporting them.</summary>
    private static (InventoryRowParser? Parser, List<ParsedRow> Rows) Read(string path, ImportPlan plan)
    {
        var rows = new List<ParsedRow>();
        InventoryRowParser? parser = null;
        var firstRowOfCode = new Dictionary<string, int>(StringComparer.Ordinal);
        var physical = 0;
        var headerRow = -1;
        string[]? title = null;
        var sawContent = false;
        var badQuotes = new List<int>();
        foreach (var cells in InventoryFileReader.ReadRows(path, (r, _) => badQuotes.Add(r)))
        {
            physical++;
            if (parser is null)
            {
                if (headerRow >= 0) break;
                if (InventoryRowParser.IsBlank(cells)) continue;
                sawContent = true;
                var layout = InventoryLayouts.Detect(cells);
                if (layout is null)
                {
                    // The national survey puts a title row above the column names.
                    if (title is null)
                    {
                        title = cells;
                        continue;
                    }
                    break;
                }
                headerRow = physical;
                plan.Layout = layout;
                parser = InventoryRowParser.Create(layout.Value, cells, plan.Errors);
                if (parser is null) return (null, rows);
                continue;
            }
            if (InventoryRowParser.IsBlank(cells)) continue;
            var errorsBefore = plan.Errors.Count;
            // Rows are named as the spreadsheet numbers them (the header is row 1, or 2 under the national
            // survey's title): the number a member of staff looks for in Excel.
            var row = parser.Parse(physical, cells, plan.Errors);
            if (row.Code.Length > 0)
            {
                if (firstRowOfCode.TryGetValue(row.Code, out var first))
                {
                    plan.Errors.Add(new ImportError(physical, "手続ID", row.Code, $"手続ID が行 {first} と重複しています。1つのファイルでは各手続を1行にしてください。"));
                }
                else
                {
                    firstRowOfCode[row.Code] = physical;
                }
            }
            if (plan.Errors.Count == errorsBefore && plan.Errors.Count == 0) rows.Add(row);
            else rows.Clear(); // nothing will be imported: don't hold the rows
        }
        foreach (var r in badQuotes.Distinct())
        {
            plan.Errors.Add(new ImportError(r, "", "", "引用符（\"）の使い方が CSV として正しくありません。値の中の \" は \"\" と書いてください。"));
        }
        if (parser is null && plan.Errors.Count == 0)
        {
            plan.Errors.Add(!sawContent
                ? new ImportError(0, "", "", "ファイルが空です。見出し行とデータ行のある CSV または XLSX を選んでください。")
                : new ImportError(0, "", "", "見出し行が見つかりません。1行目（全国調査の様式では2行目）に「手続ID」「手続名」などの列名を置いてください。"));
        }
        return (parser, rows);
    }

    internal static string DepartmentKey(string bu, string ka, string kakari) => $"{bu}\u001f{ka}\u001f{kakari}";

    /// <summary>Child rows an update adds, removes or edits, so they can be tracked without automatic change detection.</summary>
    private sealed class ChildChanges
    {
        public List<object> Added { get; } = [];
        public List<object> Removed { get; } = [];
        public List<ProcedureVolume> Modified { get; } = [];
    }

    /// <summary>Copies the columns the file has onto the procedure; columns it lacks leave the procedure as it is.</summary>
    private static ChildChanges Apply(ParsedRow row, Procedure p, InventoryRowParser parser, Department? department, int fiscalYear)
    {
        var has = parser.Present;
        var v = row.Values;
        var children = new ChildChanges();
        p.Code = row.Code;
        p.Layout = parser.Layout;
        if (has.Contains(InventoryField.Name)) p.Name = v.Name;
        if (department is not null)
        {
            // Without a 所管係 column, a procedure already filed under a 係 of the same 課 stays there.
            var keep = !has.Contains(InventoryField.Kakari) && p.Department is { } current && current.Bu == department.Bu && current.Ka == department.Ka;
            if (!keep)
            {
                p.Department = department;
                p.DepartmentId = department.Id;
            }
        }
        if (has.Contains(InventoryField.Ministry)) p.Ministry = v.Ministry;
        if (has.Contains(InventoryField.LawName)) p.LawName = v.LawName;
        if (has.Contains(InventoryField.LawArticle)) p.LawArticle = v.LawArticle;
        if (has.Contains(InventoryField.ProcedureType)) p.ProcedureType = v.ProcedureType;
        if (has.Contains(InventoryField.Actor)) p.Actor = v.Actor;
        if (has.Contains(InventoryField.Recipient)) p.Recipient = v.Recipient;
        if (has.Contains(InventoryField.AffairCategory)) p.AffairCategory = v.AffairCategory;
        if (has.Contains(InventoryField.IneligibleReason)) p.IneligibleReason = v.IneligibleReason;
        if (has.Contains(InventoryField.PlanNote)) p.PlanNote = v.PlanNote;
        if (has.Contains(InventoryField.Tool)) p.Tool = v.Tool;
        if (has.Contains(InventoryField.Attachments)) p.Attachments = v.Attachments;
        if (has.Contains(InventoryField.IdentityVerification)) p.IdentityVerification = v.IdentityVerification;
        if (has.Contains(InventoryField.FeeRequired)) p.FeeRequired = v.FeeRequired;
        if (has.Contains(InventoryField.FeePaymentMethods)) p.FeePaymentMethods = v.FeePaymentMethods;
        if (has.Contains(InventoryField.Eligible)) p.OnlineEligible = v.OnlineEligible;
        if (has.Contains(InventoryField.Status))
        {
            p.Status = v.Status;
            if (parser.Layout == InventoryLayout.National)
            {
                p.OnlineEligible = v.OnlineEligible;
                // The survey says whether a procedure is online, not since when.
                p.OnlineSince = null;
            }
        }
        if (has.Contains(InventoryField.OnlineSince)) p.OnlineSince = v.OnlineSince;
        if (has.Contains(InventoryField.PlanFiscalYear))
        {
            p.PlanFiscalYear = v.PlanFiscalYear;
            p.PlanYearBound = v.PlanFiscalYear is null ? PlanYearBound.Exact : v.PlanYearBound;
        }
        if (has.Contains(InventoryField.VolumeTotal) || has.Contains(InventoryField.VolumeOnline) || has.Contains(InventoryField.VolumeNonOnline))
        {
            var volume = p.Volumes.Find(x => x.FiscalYear == fiscalYear);
            if (row.Total is null && row.Online is null && row.NonOnline is null)
            {
                // Blank counts mean unknown: no row at all, never zero.
                if (volume is not null)
                {
                    p.Volumes.Remove(volume);
                    children.Removed.Add(volume);
                }
            }
            else if (volume is null)
            {
                volume = new ProcedureVolume { ProcedureId = p.Id, FiscalYear = fiscalYear, Total = row.Total, Online = row.Online, NonOnline = row.NonOnline };
                p.Volumes.Add(volume);
                children.Added.Add(volume);
            }
            else
            {
                volume.Total = row.Total;
                volume.Online = row.Online;
                volume.NonOnline = row.NonOnline;
                children.Modified.Add(volume);
            }
        }
        if (has.Contains(InventoryField.EventsPersonal)) SyncEvents(p, LifeEventKind.Personal, row.EventsPersonal, children);
        if (has.Contains(InventoryField.EventsCorporate)) SyncEvents(p, LifeEventKind.Corporate, row.EventsCorporate, children);
        if (parser.ExtraHeaders.Count > 0) p.ExtraJson = MergeExtras(p.ExtraJson, parser.ExtraHeaders, row.Extras);
        return children;
    }

    private static void SyncEvents(Procedure p, LifeEventKind kind, List<string> wanted, ChildChanges children)
    {
        foreach (var e in p.LifeEvents.Where(e => e.Kind == kind && !wanted.Contains(e.Event)).ToList())
        {
            p.LifeEvents.Remove(e);
            children.Removed.Add(e);
        }
        foreach (var name in wanted.Where(w => !p.LifeEvents.Exists(e => e.Kind == kind && e.Event == w)))
        {
            var e = new ProcedureLifeEvent { ProcedureId = p.Id, Kind = kind, Event = name };
            p.LifeEvents.Add(e);
            children.Added.Add(e);
        }
    }

    /// <summary>Sets or clears the extra columns the file has and keeps the others, in the survey's column order.</summary>
    internal static string MergeExtras(string existingJson, IReadOnlyList<string> headers, IReadOnlyDictionary<string, string> values)
    {
        var extras = ReadExtras(existingJson);
        foreach (var h in headers)
        {
            if (values.TryGetValue(h, out var value)) extras[h] = value;
            else extras.Remove(h);
        }
        if (extras.Count == 0) return "{}";
        var order = InventoryLayouts.National.Select((c, i) => (c.Header, i)).ToDictionary(x => x.Header, x => x.i, StringComparer.Ordinal);
        var obj = new JsonObject();
        foreach (var (k, val) in extras.OrderBy(kv => order.GetValueOrDefault(kv.Key, int.MaxValue)).ThenBy(kv => kv.Key, StringComparer.Ordinal))
        {
            obj[k] = val;
        }
        return obj.ToJsonString(ExtrasJson);
    }

    internal static Dictionary<string, string> ReadExtras(string? json)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(json)) return result;
        try
        {
            if (JsonNode.Parse(json) is JsonObject obj)
            {
                foreach (var (k, v) in obj)
                {
                    if (v is JsonValue value && value.TryGetValue<string>(out var s)) result[k] = s;
                }
            }
        }
        catch (JsonException)
        {
            // A hand-edited, broken ExtraJson must not stop an import: treat it as empty.
        }
        return result;
    }

    private static readonly JsonSerializerOptions ExtrasJson = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
