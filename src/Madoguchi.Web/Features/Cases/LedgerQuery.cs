using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Madoguchi.Web.Features.Submissions;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Cases;

/// <summary>The ledger's order: newest first (default), oldest first, or nearest due date first (cases without one last).</summary>
public enum LedgerSort { Newest, Oldest, Due }

/// <summary>The filters of a ledger page as staff chose them (query string, so that a filtered ledger can be bookmarked).</summary>
public sealed record LedgerFilter
{
    public string? Status { get; init; }
    /// <summary>online, counter or mail.</summary>
    public string? Channel { get; init; }
    /// <summary>"me", "none" or a member of staff's id.</summary>
    public string? Assignee { get; init; }
    /// <summary>Received on or after this Japan date (2025-04-01, 2025/4/1, 令和7年4月1日, R7.4.1 …).</summary>
    public string? From { get; init; }
    public string? To { get; init; }
    public bool Overdue { get; init; }
    public bool Unread { get; init; }
    /// <summary>Words looked for in the non-sensitive answers and the receipt number.</summary>
    public string? Q { get; init; }
    /// <summary>"new" (default), "old" or "due".</summary>
    public string? Sort { get; init; }

    public LedgerSort SortOrder => Sort switch
    {
        "old" => LedgerSort.Oldest,
        "due" => LedgerSort.Due,
        _ => LedgerSort.Newest,
    };
}

/// <summary>
/// What the ledger shows of a case: its own columns, the form version it was filled in on and its
/// answers (the 補正 answers where a correction replaced them, else the submission's), read in the
/// same query as the page so that a page or an export batch is one round trip.
/// </summary>
public sealed record LedgerRow(
    Guid Id,
    string ReceiptNumber,
    CaseChannel Channel,
    string Status,
    string? AssigneeId,
    DateTimeOffset ReceivedAt,
    DateOnly? DueOn,
    DateOnly? ClockStoppedOn,
    DateTimeOffset? OpenedAt,
    DateTimeOffset? ClosedAt,
    Guid FormVersionId,
    string? AnswersJson,
    int Revision = 0);

/// <summary>One page of a ledger and the cursors to the pages either side (null where there is none).</summary>
public sealed record LedgerPage(IReadOnlyList<LedgerRow> Rows, string? Next, string? Previous);

/// <summary>
/// Filters and keyset paging of a ledger. Pages are cut on the sort key plus the case id (never
/// OFFSET), so a page deep in 300,000 cases costs what the first one does, and cases received while
/// staff page through neither repeat nor push others off a page. The cursor is opaque to staff: the
/// sort key and id of the row it continues from, base64url-encoded.
/// </summary>
public static class LedgerQuery
{
    /// <summary>Narrows the cases; the dates are already read (see <see cref="Dates"/>).</summary>
    public static IQueryable<Case> Where(IQueryable<Case> q, LedgerFilter f, string? me, DateOnly today, DateOnly? from, DateOnly? to)
    {
        if (!string.IsNullOrEmpty(f.Status)) q = q.Where(c => c.Status == f.Status);
        if (CaseChannels.Parse(f.Channel) is { } channel) q = q.Where(c => c.Channel == channel);
        if (f.Assignee == "none") q = q.Where(c => c.AssigneeId == null);
        else if (f.Assignee == "me") q = q.Where(c => c.AssigneeId == me);
        else if (!string.IsNullOrEmpty(f.Assignee)) q = q.Where(c => c.AssigneeId == f.Assignee);
        // Japan days as instants, so the (ProcedureId, ReceivedAt) index serves the range.
        if (from is { } d1)
        {
            var start = StartOf(d1);
            q = q.Where(c => c.ReceivedAt >= start);
        }
        if (to is { } d2)
        {
            var end = StartOf(d2.AddDays(1));
            q = q.Where(c => c.ReceivedAt < end);
        }
        if (f.Overdue) q = q.Where(c => c.ClosedAt == null && c.ClockStoppedOn == null && c.DueOn != null && c.DueOn < today);
        if (f.Unread) q = q.Where(c => c.OpenedAt == null);
        foreach (var term in Terms(f.Q))
        {
            // LIKE is case-sensitive on PostgreSQL and not on SQLite: the search text is stored in lower
            // case and receipt numbers in upper case, so the term is cased to match on both engines.
            var pattern = "%" + EscapeLike(term.ToLowerInvariant()) + "%";
            var receipt = "%" + EscapeLike(term.ToUpperInvariant()) + "%";
            q = q.Where(c => EF.Functions.Like(c.SearchText, pattern, "\\") || EF.Functions.Like(c.ReceiptNumber, receipt, "\\"));
        }
        return q;
    }

    /// <summary>The words of a text filter, NFKC-normalised as the search text is (全角ＡＢＣ and ｶﾅ find ABC and カナ).</summary>
    public static IReadOnlyList<string> Terms(string? q)
    {
        if (string.IsNullOrWhiteSpace(q)) return [];
        var text = TextNormalizer.Normalize(q);
        return text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Take(5).ToList();
    }

    /// <summary>LIKE with the escape character '\': the term's own %, _ and \ match themselves.</summary>
    public static string EscapeLike(string term)
        => term.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);

    /// <summary>Reads the date filters; a date that cannot be read gives an error saying how to write it.</summary>
    public static (DateOnly? From, DateOnly? To, IReadOnlyList<(string Field, string Message)> Errors) Dates(LedgerFilter f)
    {
        var errors = new List<(string, string)>();
        DateOnly? Read(string? text, string field, string what)
        {
            if (string.IsNullOrWhiteSpace(text)) return null;
            var v = DateField.Validate(text);
            if (!v.IsValid)
            {
                errors.Add((field, $"{what}「{text.Trim()}」: {v.Errors[0].Message.Ja}"));
                return null;
            }
            var day = v.Value!.Date;
            if (day >= EarliestDay && day <= LatestDay) return day;
            errors.Add((field, $"{what}「{text.Trim()}」は扱える範囲の外です。{EarliestDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}から{LatestDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}までの日付を入力してください。"));
            return null;
        }
        var from = Read(f.From, "Filter.From", "受付日（から）");
        var to = Read(f.To, "Filter.To", "受付日（まで）");
        if (from is { } a && to is { } b && a > b) errors.Add(("Filter.To", $"受付日（まで）{Wareki.Format(b)}が受付日（から）{Wareki.Format(a)}より前です。期間を確かめてください。"));
        return (from, to, errors);
    }

    // Japan days far at either end have no UTC instant (0001-01-01 00:00 JST is still year 0 in UTC, and
    // the day after 9999-12-31 does not exist): such a filter is an input error, not a server error. From
    // 1873 (明治6年, the Gregorian calendar in Japan) every day also has a 和暦 name for the messages.
    public static readonly DateOnly EarliestDay = new(1873, 1, 1);
    public static readonly DateOnly LatestDay = new(9999, 12, 30);

    private static DateTimeOffset StartOf(DateOnly japanDay)
    {
        var local = japanDay.ToDateTime(TimeOnly.MinValue);
        return new DateTimeOffset(local, JapanTime.Zone.GetUtcOffset(local)).ToUniversalTime();
    }

    private readonly record struct Key(DateTimeOffset At, DateOnly? Due, Guid Id);

    /// <summary>
    /// One page after (<paramref name="after"/>) or before (<paramref name="before"/>) a cursor, or the
    /// first page. A cursor that cannot be read starts from the first page.
    /// </summary>
    /// <param name="submissions">Where each case's form version and original answers are read (every case has its submission: the case's key is the submission's).</param>
    public static async Task<LedgerPage> PageAsync(IQueryable<Case> q, IQueryable<Submission> submissions, LedgerSort sort, string? after, string? before, int size, CancellationToken ct)
    {
        var forward = before is null || after is not null;
        var key = Decode(forward ? after : before, sort);
        if (key is null) forward = true;
        var rows = await FetchAsync(q, submissions, sort, key, forward, size + 1, ct);
        var more = rows.Count > size;
        if (more) rows.RemoveAt(rows.Count - 1);
        if (!forward)
        {
            rows.Reverse();
            // Back at the start with a short page (cases closed meanwhile): show the whole first page.
            if (!more && rows.Count < size) return await PageAsync(q, submissions, sort, null, null, size, ct);
        }
        if (rows.Count == 0) return new LedgerPage(rows, null, null);
        var first = Encode(rows[0], sort);
        var last = Encode(rows[^1], sort);
        return forward
            ? new LedgerPage(rows, more ? last : null, key is null ? null : first)
            : new LedgerPage(rows, last, more ? first : null);
    }

    private static async Task<List<LedgerRow>> FetchAsync(IQueryable<Case> cases, IQueryable<Submission> submissions, LedgerSort sort, Key? key, bool forward, int take, CancellationToken ct)
    {
        // Joined before the keyset and the order, so that SQL orders the joined rows: one seek per row
        // into the submissions, as a hand-written query would (bench/ledger).
        var q = Join(cases, submissions);
        if (sort != LedgerSort.Due)
        {
            // Newest first reads the index backwards; "forward" is the page order, "ascending" the SQL order.
            var ascending = (sort == LedgerSort.Oldest) == forward;
            if (key is { } k)
            {
                // The first bound is implied by the rest, but it is what PostgreSQL can seek the index
                // on: with the OR alone it filtered every case above the cursor (35 ms for a page half-way
                // down 300,000 cases instead of 1 ms, bench/ledger --postgres). SQLite seeks either way.
                var (at, id) = (k.At, k.Id);
                q = ascending
                    ? q.Where(e => e.Case.ReceivedAt >= at && (e.Case.ReceivedAt > at || (e.Case.ReceivedAt == at && e.Case.Id.CompareTo(id) > 0)))
                    : q.Where(e => e.Case.ReceivedAt <= at && (e.Case.ReceivedAt < at || (e.Case.ReceivedAt == at && e.Case.Id.CompareTo(id) < 0)));
            }
            var ordered = ascending ? q.OrderBy(e => e.Case.ReceivedAt).ThenBy(e => e.Case.Id) : q.OrderByDescending(e => e.Case.ReceivedAt).ThenByDescending(e => e.Case.Id);
            return await Rows(ordered).Take(take).ToListAsync(ct);
        }
        // Due dates first (nearest first), then the cases without one. Two index range reads instead
        // of one ORDER BY over a computed key, which no index could serve.
        var dated = q.Where(e => e.Case.DueOn != null);
        var undated = q.Where(e => e.Case.DueOn == null);
        var rows = new List<LedgerRow>(take);
        if (forward)
        {
            if (key is not { Due: null })
            {
                if (key is { Due: { } due } k)
                {
                    var id = k.Id;
                    dated = dated.Where(e => e.Case.DueOn >= due && (e.Case.DueOn > due || (e.Case.DueOn == due && e.Case.Id.CompareTo(id) > 0)));
                }
                rows.AddRange(await Rows(dated.OrderBy(e => e.Case.DueOn).ThenBy(e => e.Case.Id)).Take(take).ToListAsync(ct));
                key = null;
            }
            if (rows.Count < take)
            {
                if (key is { } k) undated = undated.Where(e => e.Case.Id.CompareTo(k.Id) > 0);
                rows.AddRange(await Rows(undated.OrderBy(e => e.Case.Id)).Take(take - rows.Count).ToListAsync(ct));
            }
            return rows;
        }
        if (key is { Due: null } u)
        {
            rows.AddRange(await Rows(undated.Where(e => e.Case.Id.CompareTo(u.Id) < 0).OrderByDescending(e => e.Case.Id)).Take(take).ToListAsync(ct));
            key = null;
        }
        if (rows.Count < take)
        {
            if (key is { Due: { } due } k)
            {
                var id = k.Id;
                dated = dated.Where(e => e.Case.DueOn <= due && (e.Case.DueOn < due || (e.Case.DueOn == due && e.Case.Id.CompareTo(id) < 0)));
            }
            rows.AddRange(await Rows(dated.OrderByDescending(e => e.Case.DueOn).ThenByDescending(e => e.Case.Id)).Take(take - rows.Count).ToListAsync(ct));
        }
        return rows;
    }

    private static IQueryable<Entry> Join(IQueryable<Case> cases, IQueryable<Submission> submissions)
        => cases.Join(submissions, c => c.Id, s => s.Id, (c, s) => new Entry { Case = c, Submission = s });

    private static IQueryable<LedgerRow> Rows(IQueryable<Entry> q)
        => q.Select(e => new LedgerRow(e.Case.Id, e.Case.ReceiptNumber, e.Case.Channel, e.Case.Status, e.Case.AssigneeId, e.Case.ReceivedAt, e.Case.DueOn,
            e.Case.ClockStoppedOn, e.Case.OpenedAt, e.Case.ClosedAt, e.Submission.FormVersionId, e.Case.AnswersJson ?? e.Submission.AnswersJson, e.Case.Revision));

    /// <summary>A case with its submission, for reading a whole ledger (exports).</summary>
    public sealed class Entry
    {
        public required Case Case { get; init; }
        public required Submission Submission { get; init; }
    }

    /// <summary>
    /// Every case of <paramref name="q"/> with its submission in <paramref name="sort"/> order (the page's
    /// order), as queries to stream one after the other: one for the newest and oldest orders, two for
    /// the due order (dated cases, then those without a due date). An export reads them whole, so it needs
    /// no cursor: each query is one snapshot and one pass over the index instead of a query per page.
    /// </summary>
    public static IReadOnlyList<IQueryable<Entry>> All(IQueryable<Case> q, IQueryable<Submission> submissions, LedgerSort sort)
    {
        var joined = Join(q, submissions);
        return sort switch
        {
            LedgerSort.Oldest => [joined.OrderBy(e => e.Case.ReceivedAt).ThenBy(e => e.Case.Id)],
            LedgerSort.Newest => [joined.OrderByDescending(e => e.Case.ReceivedAt).ThenByDescending(e => e.Case.Id)],
            _ =>
            [
                joined.Where(e => e.Case.DueOn != null).OrderBy(e => e.Case.DueOn).ThenBy(e => e.Case.Id),
                joined.Where(e => e.Case.DueOn == null).OrderBy(e => e.Case.Id),
            ],
        };
    }

    /// <summary>The cursor of a row: the page after it starts with the next row in <paramref name="sort"/> order.</summary>
    public static string Encode(LedgerRow row, LedgerSort sort)
    {
        var value = sort == LedgerSort.Due
            ? row.DueOn?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "-"
            : row.ReceivedAt.UtcTicks.ToString(CultureInfo.InvariantCulture);
        return Base64Url.EncodeToString(Encoding.ASCII.GetBytes($"{value}|{row.Id:N}"));
    }

    private static Key? Decode(string? cursor, LedgerSort sort)
    {
        if (string.IsNullOrEmpty(cursor) || cursor.Length > 200) return null;
        string text;
        try
        {
            text = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(cursor));
        }
        catch (FormatException)
        {
            return null;
        }
        var parts = text.Split('|');
        if (parts.Length != 2 || !Guid.TryParseExact(parts[1], "N", out var id)) return null;
        if (sort == LedgerSort.Due)
        {
            if (parts[0] == "-") return new Key(default, null, id);
            return DateOnly.TryParseExact(parts[0], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var due) ? new Key(default, due, id) : null;
        }
        return long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) && ticks <= DateTimeOffset.MaxValue.UtcTicks
            ? new Key(new DateTimeOffset(ticks, TimeSpan.Zero), null, id)
            : null;
    }
}
