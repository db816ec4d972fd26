using System.Globalization;

namespace Madoguchi.Web.Shared.Japanese;

/// <summary>A valid date with the two ways it is shown: 和暦 "令和7年4月1日" and 西暦 "2025-04-01".</summary>
public sealed record JapaneseDate(DateOnly Date)
{
    public string Wareki => Japanese.Wareki.Format(Date);
    public string Iso => Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    /// <summary>"2025年4月1日（令和7年4月1日）".</summary>
    public string Display => $"{Date.Year}年{Date.Month}月{Date.Day}日（{Wareki}）";
    public override string ToString() => Iso;
}

/// <summary>
/// 日付: 2025-04-01, 2025/4/1, 2025年4月1日, R7.4.1, 令和7年4月1日, 令和元年5月1日, H31.4.30,
/// full-width digits. Impossible dates are refused with the reason: 平成31年5月1日 (令和 had begun —
/// the message gives 令和元年5月1日), 令和1年4月30日, 2025-02-29, month 13.
/// </summary>
public static class DateField
{
    public static Validated<JapaneseDate> Validate(string? input)
    {
        var date = Wareki.ParseDate(input, out var problem);
        if (date is { } d) return Validated<JapaneseDate>.Ok(new JapaneseDate(d));
        return problem.Kind switch
        {
            DateProblemKind.Empty => Validated<JapaneseDate>.Fail(FieldText.Required()),
            DateProblemKind.Month => Fail("invalid_month",
                "月は1から12までの数字で入力してください。",
                "The month must be a number from 1 to 12.",
                "<ruby>月<rt>つき</rt></ruby>は 1から 12までの <ruby>数字<rt>すうじ</rt></ruby>です。"),
            DateProblemKind.Day => Fail("invalid_day",
                $"その月は{problem.DaysInMonth}日までです。日付を確かめてください。",
                $"That month has {problem.DaysInMonth} days. Check the day.",
                $"その <ruby>月<rt>つき</rt></ruby>は {problem.DaysInMonth}<ruby>日<rt>にち</rt></ruby>までです。<ruby>日<rt>ひ</rt></ruby>を <ruby>確<rt>たし</rt></ruby>かめてください。"),
            DateProblemKind.EraYear => Fail("invalid_era_year",
                "元号の年が正しくありません。「令和7年4月1日」や「2025-04-01」の形で入力してください。",
                "The era year is not valid. Enter the date like 令和7年4月1日 or 2025-04-01.",
                "<ruby>年<rt>ねん</rt></ruby>が <ruby>正<rt>ただ</rt></ruby>しくありません。「2025-04-01」のように <ruby>書<rt>か</rt></ruby>いてください。"),
            DateProblemKind.NotInEra when problem.Western is { } w => NotInEra(w),
            _ => Fail("invalid_date",
                "日付として読み取れません。「2025-04-01」「2025/4/1」「令和7年4月1日」「R7.4.1」のいずれかの形で入力してください。",
                "This is not a date we can read. Enter it like 2025-04-01, 2025/4/1, 令和7年4月1日 or R7.4.1.",
                "<ruby>日<rt>ひ</rt></ruby>にちが わかりません。「2025-04-01」のように <ruby>書<rt>か</rt></ruby>いてください。"),
        };
    }

    private static Validated<JapaneseDate> NotInEra(DateOnly western)
    {
        var correct = Wareki.Format(western);
        var iso = western.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        // The same digits read in the Western calendar fall in another era: suggest how to write that day.
        var hint = correct == iso ? "" : $"「{correct}」（{iso}）のことであれば、そのように入力してください。";
        var hintEn = correct == iso ? "" : $" If you mean {iso}, enter {correct}.";
        return Fail("date_not_in_era",
            $"その日付はその元号の期間にありません（元号が変わった日をまたいでいます）。{hint}",
            $"That date is outside the era's span (the era changed before or after it).{hintEn}",
            $"その <ruby>年<rt>ねん</rt></ruby>と <ruby>元号<rt>げんごう</rt></ruby>は あいません。{FieldText.Html(correct)} ですか。");
    }

    private static Validated<JapaneseDate> Fail(string code, string ja, string en, string easy)
        => Validated<JapaneseDate>.Fail(FieldText.Error(code, ja, en, easy));
}
