using System.CommandLine;
using System.Globalization;
using System.Text;
using Madoguchi.Web.Shared.Japanese;

namespace Madoguchi.Cli;

internal static class CalendarCommands
{
    public static Command Create() => new("calendar", "業務カレンダー（閉庁日） / business calendar")
    {
        Holidays(),
        Closures(),
        BusinessDays(),
    };

    private static Command Holidays()
    {
        var year = new Option<int>("--year") { Description = "西暦年（例: 2026）", Required = true };
        var format = Cli.FormatOption("text", "json");
        var command = new Command("holidays", "その年の閉庁日（祝日・振替休日・国民の休日・年末年始・臨時閉庁）を日付順に表示します（土日は含みません）") { year, format };
        command.SetAction((result, ct) => Cli.RunAsync(result, ct, async sp =>
        {
            var y = result.GetValue(year);
            if (y is < 1949 or > 2150)
            {
                throw new CliException($"--year {y} は対象外です。1949〜2150 の西暦年を指定してください（祝日法の施行と春分・秋分の近似式の範囲）。");
            }
            var calendar = await sp.GetRequiredService<BusinessCalendarService>().LoadAsync(ct);
            var days = calendar.ClosedDaysInYear(y);
            if (result.GetValue(format) == "json")
            {
                Cli.WriteJson(days.Select(d => new { date = Iso(d.Date), weekday = Weekday(d.Date), name = d.Name, kind = Kind(d.Kind) }));
            }
            else
            {
                foreach (var d in days) Cli.Stdout.WriteLine($"{Iso(d.Date)} ({Weekday(d.Date)}) {d.Name}");
            }
            return Cli.Ok;
        }));
        return command;
    }

    private static Command Closures()
    {
        var date = new Option<string>("--date") { Description = "日付 yyyy-MM-dd（例: 2026-12-28）", Required = true };
        var reason = new Option<string>("--reason") { Description = "閉庁の理由（住民に表示されます。例: システム更新）", Required = true };
        var add = new Command("add", "臨時の閉庁日を登録します") { date, reason };
        add.SetAction((result, ct) => Cli.RunAsync(result, ct, async sp =>
        {
            var d = ParseDate(result.GetValue(date), "--date");
            var service = sp.GetRequiredService<BusinessCalendarService>();
            var before = (await service.LoadAsync(ct)).ClosedReason(d);
            try
            {
                var closure = await service.AddClosureAsync(d, result.GetValue(reason), ct);
                if (before is not null) Cli.Info($"注意: {Iso(d)} はもともと閉庁日です（{before}）。");
                Cli.WriteJson(new { date = Iso(closure.Date), reason = closure.Reason });
                return Cli.Ok;
            }
            catch (ArgumentException e)
            {
                throw new CliException(e.Message);
            }
        }));

        var removeDate = new Option<string>("--date") { Description = "削除する閉庁日 yyyy-MM-dd", Required = true };
        var remove = new Command("remove", "臨時の閉庁日を削除します") { removeDate };
        remove.SetAction((result, ct) => Cli.RunAsync(result, ct, async sp =>
        {
            var d = ParseDate(result.GetValue(removeDate), "--date");
            if (!await sp.GetRequiredService<BusinessCalendarService>().RemoveClosureAsync(d, ct))
            {
                throw new CliException($"{Iso(d)} に登録された臨時の閉庁日はありません。`./madoguchi calendar closures list` で確認してください。");
            }
            Cli.Info($"{Iso(d)} の閉庁日を削除しました。");
            return Cli.Ok;
        }));

        var list = new Command("list", "登録された臨時の閉庁日を日付順に表示します（JSON）");
        list.SetAction((result, ct) => Cli.RunAsync(result, ct, async sp =>
        {
            var closures = await sp.GetRequiredService<BusinessCalendarService>().ClosuresAsync(ct);
            Cli.WriteJson(closures.Select(c => new { date = Iso(c.Date), reason = c.Reason }));
            return Cli.Ok;
        }));
        return new Command("closures", "臨時の閉庁日 / municipality closures") { add, remove, list };
    }

    private static Command BusinessDays()
    {
        var from = new Option<string>("--from") { Description = "起算日 yyyy-MM-dd（この日は数えません）", Required = true };
        var add = new Option<int>("--add") { Description = "開庁日の数（0 なら起算日、閉庁日なら次の開庁日）", Required = true };
        var command = new Command("business-days", "起算日から n 開庁日後の日付を表示します（標準処理期間の期限など）") { from, add };
        command.SetAction((result, ct) => Cli.RunAsync(result, ct, async sp =>
        {
            var d = ParseDate(result.GetValue(from), "--from");
            var n = result.GetValue(add);
            if (n is < -3650 or > 3650) throw new CliException($"--add {n} は大きすぎます。-3650〜3650 の範囲で指定してください。");
            var calendar = await sp.GetRequiredService<BusinessCalendarService>().LoadAsync(ct);
            Cli.Stdout.WriteLine(Iso(calendar.AddBusinessDays(d, n)));
            return Cli.Ok;
        }));
        return command;
    }

    /// <summary>yyyy-MM-dd, full-width digits and hyphens accepted (NFKC). Anything else is an operator error.</summary>
    internal static DateOnly ParseDate(string? value, string option)
    {
        var text = (value ?? "").Trim();
        try
        {
            text = text.Normalize(NormalizationForm.FormKC);
        }
        catch (ArgumentException)
        {
            // Ill-formed UTF-16 cannot be a date; the parse below reports it.
        }
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) return d;
        throw new CliException($"{option} '{value}' は日付として読めません。yyyy-MM-dd の形で、実在する日付を指定してください（例: 2026-12-28）。");
    }

    private static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Weekday(DateOnly d) => "日月火水木金土"[(int)d.DayOfWeek].ToString();

    private static string Kind(ClosedDayKind k) => k switch
    {
        ClosedDayKind.Holiday => "holiday",
        ClosedDayKind.YearEnd => "year-end",
        ClosedDayKind.Closure => "closure",
        _ => "weekend",
    };
}
