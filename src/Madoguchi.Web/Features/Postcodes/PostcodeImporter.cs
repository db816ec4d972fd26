using System.Text;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Catalog.Import;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Postcodes;

/// <summary>Which of Japan Post's files was read.</summary>
public enum PostcodeFileFormat
{
    /// <summary>KEN_ALL.CSV: Shift_JIS, half-width kana, a long 町域 split across rows.</summary>
    KenAll,
    /// <summary>utf_all.csv: UTF-8, full-width kana, one row per record.</summary>
    Utf,
}

public sealed record PostcodeError(int Line, string Message)
{
    public override string ToString() => $"{Line}行目: {Message}";
}

/// <summary>What an import read (and, when <see cref="Applied"/>, wrote).</summary>
public sealed record PostcodeImportResult(
    PostcodeFileFormat Format, int Lines, IReadOnlyList<Postcode> Records, IReadOnlyList<PostcodeError> Errors, bool Applied)
{
    public bool IsValid => Errors.Count == 0;
    public int Postcodes => Records.Select(r => r.Code).Distinct().Count();
    public string FormatName => Format == PostcodeFileFormat.KenAll ? "KEN_ALL形式（Shift_JIS）" : "utf_all形式（UTF-8）";
}

/// <summary>
/// Reads Japan Post's postcode files (15 columns: 団体コード, 旧郵便番号, 郵便番号, 都道府県・市区町村・
/// 町域 in kana then kanji, six flags) and replaces the Postcodes table with them in one transaction.
/// Any bad row stops the import: nothing is written and every bad row is reported by line.
/// </summary>
public sealed class PostcodeImporter(MadoguchiDbContext db)
{
    private const int Columns = 15;

    public async Task<PostcodeImportResult> ImportAsync(string path, CancellationToken ct)
    {
        var result = Read(path);
        if (!result.IsValid) return result;
        var autoDetect = db.ChangeTracker.AutoDetectChangesEnabled;
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        try
        {
            await db.Postcodes.ExecuteDeleteAsync(ct);
            // In batches with the tracker cleared: KEN_ALL has about 124,000 rows.
            foreach (var batch in result.Records.Chunk(5000))
            {
                db.Postcodes.AddRange(batch.Select(r => new Postcode
                {
                    Code = r.Code,
                    CityCode = r.CityCode,
                    Prefecture = r.Prefecture,
                    City = r.City,
                    Town = r.Town,
                    PrefectureKana = r.PrefectureKana,
                    CityKana = r.CityKana,
                    TownKana = r.TownKana,
                    Note = r.Note,
                }));
                await db.SaveChangesAsync(ct);
                db.ChangeTracker.Clear();
            }
            await tx.CommitAsync(ct);
        }
        finally
        {
            db.ChangeTracker.AutoDetectChangesEnabled = autoDetect;
        }
        return result with { Applied = true };
    }

    /// <summary>Reads and checks a file without writing anything; the encoding tells the format.</summary>
    public static PostcodeImportResult Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024);
        var sample = new byte[Math.Min(64 * 1024, stream.Length)];
        stream.ReadExactly(sample);
        stream.Position = 0;
        var encoding = InventoryFileReader.DetectEncoding(sample);
        var format = encoding.CodePage == 932 ? PostcodeFileFormat.KenAll : PostcodeFileFormat.Utf;
        using var reader = new StreamReader(stream, encoding, detectEncodingFromByteOrderMarks: true, 64 * 1024);
        return Read(reader, format);
    }

    public static PostcodeImportResult Read(TextReader reader, PostcodeFileFormat format)
    {
        var records = new List<Postcode>();
        var errors = new List<PostcodeError>();
        var line = 0;
        Pending? open = null;
        foreach (var row in InventoryFileReader.ParseCsv(reader, (r, _) => errors.Add(new(r, "引用符（\"）の使い方が正しくありません。"))))
        {
            line++;
            if (row.Length == 1 && row[0].Length == 0) continue; // a blank line
            if (row.Length != Columns)
            {
                errors.Add(new(line, $"列の数が{row.Length}です。日本郵便の郵便番号データは{Columns}列です（KEN_ALL.CSV か utf_all.csv をそのまま指定してください）。"));
                continue;
            }
            var code = row[2].Trim();
            var cityCode = row[0].Trim();
            if (code.Length != 7 || !code.All(char.IsAsciiDigit))
            {
                errors.Add(new(line, $"3列目の郵便番号「{code}」は7桁の数字ではありません。"));
                continue;
            }
            if (cityCode.Length != 5 || !cityCode.All(char.IsAsciiDigit))
            {
                errors.Add(new(line, $"1列目の全国地方公共団体コード「{cityCode}」は5桁の数字ではありません。"));
                continue;
            }
            if (row[6].Trim().Length == 0 || row[7].Trim().Length == 0)
            {
                errors.Add(new(line, "7列目（都道府県名）か8列目（市区町村名）が空です。"));
                continue;
            }
            // A 町域 too long for one row goes on in the next rows with the same postcode, until its
            // parenthesis closes; the kana column either goes on too or repeats the whole reading.
            if (open is not null)
            {
                if (open.Code == code && open.CityCode == cityCode)
                {
                    open.Append(row[8], Kana.ToKatakana(row[5]));
                    if (open.IsClosed)
                    {
                        records.Add(open.ToPostcode());
                        open = null;
                    }
                    continue;
                }
                errors.Add(new(open.Line, $"町域名「{open.Town}」の括弧が閉じていません（{open.Line}行目から続く行がありません）。ファイルが途中で切れていないか確かめてください。"));
                open = null;
            }
            if (Depth(row[8]) < 0)
            {
                errors.Add(new(line, $"町域名「{row[8].Trim()}」は前の行の続きですが、括弧の開いた前の行（同じ郵便番号）がありません。行の順序を変えずに指定してください。"));
                continue;
            }
            var pending = new Pending(line, code, cityCode, row[6].Trim(), row[7].Trim(), Kana.ToKatakana(row[3].Trim()), Kana.ToKatakana(row[4].Trim()), row[8], Kana.ToKatakana(row[5]));
            if (pending.IsClosed) records.Add(pending.ToPostcode());
            else open = pending;
        }
        if (open is not null)
        {
            errors.Add(new(open.Line, $"町域名「{open.Town}」の括弧が閉じないままファイルが終わっています。ファイルが途中で切れていないか確かめてください。"));
        }
        if (line == 0) errors.Add(new(1, "ファイルが空です。"));
        return new PostcodeImportResult(format, line, errors.Count == 0 ? records : [], errors, false);
    }

    /// <summary>A record being read, possibly over several rows.</summary>
    private sealed class Pending(int line, string code, string cityCode, string prefecture, string city, string prefectureKana, string cityKana, string town, string townKana)
    {
        private readonly StringBuilder townText = new(town.Trim());
        private readonly StringBuilder kanaText = new(townKana.Trim());

        public int Line => line;
        public string Code => code;
        public string CityCode => cityCode;
        public string Town => townText.ToString();
        public bool IsClosed => Depth(Town) <= 0;

        public void Append(string moreTown, string moreKana)
        {
            townText.Append(moreTown.Trim());
            var kana = moreKana.Trim();
            var sofar = kanaText.ToString();
            // Japan Post repeats the whole reading on continuation rows when it fitted in one.
            if (kana.Length > 0 && kana != sofar && !sofar.StartsWith(kana, StringComparison.Ordinal)) kanaText.Append(kana);
        }

        public Postcode ToPostcode()
        {
            var (name, note) = SplitNote(Town);
            var (kanaName, _) = SplitNote(kanaText.ToString());
            if (IsNoTown(name, city))
            {
                name = "";
                kanaName = "";
            }
            return new Postcode
            {
                Code = code,
                CityCode = cityCode,
                Prefecture = prefecture,
                City = city,
                Town = name,
                PrefectureKana = prefectureKana,
                CityKana = cityKana,
                TownKana = kanaName,
                Note = note,
            };
        }
    }

    private static int Depth(string s) => s.Count(c => c is '（' or '(') - s.Count(c => c is '）' or ')');

    /// <summary>"東陽（１～３丁目）" → ("東陽", "１～３丁目"); the note is what stands in the first parentheses to the end.</summary>
    internal static (string Name, string Note) SplitNote(string town)
    {
        var open = town.IndexOfAny(['（', '(']);
        if (open < 0) return (town, "");
        var close = town.LastIndexOfAny(['）', ')']);
        var note = close > open ? town[(open + 1)..close] : town[(open + 1)..];
        return (town[..open].Trim(), note.Trim());
    }

    /// <summary>
    /// The 町域 names that Japan Post uses when an address has no town part: "以下に掲載がない場合",
    /// "○○の次に番地がくる場合" and "○○一円" (the whole municipality is one delivery area).
    /// </summary>
    internal static bool IsNoTown(string town, string city)
        => town is "以下に掲載がない場合" or "一円"
           || town.EndsWith("の次に番地がくる場合", StringComparison.Ordinal)
           || (town.EndsWith("一円", StringComparison.Ordinal) && town.Length > 2 && city.EndsWith(town[..^2], StringComparison.Ordinal));
}
