using System.Globalization;
using Madoguchi.Web.Shared.Japanese;

namespace Madoguchi.Web.Features.Intake;

/// <summary>What the start page of a form says about its intake rules, in the resident's language.</summary>
public sealed record IntakeNotice(IntakeRules Rules, IntakeGate.State State, int Taken)
{
    public bool CanStart => State == IntakeGate.State.Open;

    /// <summary>Why residents cannot apply now, or null when they can.</summary>
    public FieldMessage? Refusal => State switch
    {
        IntakeGate.State.NotOpenYet => IntakeRefusal.NotOpenYet(Rules.Opens!.Value).Message,
        IntakeGate.State.Closed => IntakeRefusal.Closed(Rules.Closes!.Value).Message,
        IntakeGate.State.Full => IntakeRefusal.Full(Rules.Capacity ?? 0).Message,
        _ => null,
    };

    /// <summary>Lines describing the period, the mode and the per-person limit (やさしい日本語 as HTML with ruby).</summary>
    public IReadOnlyList<FieldMessage> Lines()
    {
        var lines = new List<FieldMessage>();
        if (Rules.Opens is not null || Rules.Closes is not null)
        {
            var ja = $"{(Rules.Opens is { } o ? IntakeRefusal.Ja(o) : "")} 〜 {(Rules.Closes is { } c ? IntakeRefusal.Ja(c) + " まで" : "")}";
            var en = $"{(Rules.Opens is { } o2 ? "from " + IntakeRefusal.En(o2) : "")} {(Rules.Closes is { } c2 ? "until " + IntakeRefusal.En(c2) : "")}".Trim();
            lines.Add(new($"受付期間（日本時間）: {ja}", $"Applications are accepted {en} (Japan time).",
                $"<ruby>申<rt>もう</rt></ruby>し<ruby>込<rt>こ</rt></ruby>める <ruby>期間<rt>きかん</rt></ruby>: {ja}"));
        }
        if (Rules.Mode == IntakeMode.FirstCome)
        {
            var cap = N(Rules.Capacity ?? 0);
            var left = N(Math.Max(0, (Rules.Capacity ?? 0) - Taken));
            lines.Add(new($"先着順です。定員 {cap} 件（残り {left} 件）に達した時点で受付を終了します。",
                $"First come, first served: {cap} places ({left} left). Applications close when all are taken.",
                $"<ruby>先<rt>さき</rt></ruby>に <ruby>申<rt>もう</rt></ruby>し<ruby>込<rt>こ</rt></ruby>んだ <ruby>人<rt>ひと</rt></ruby>から {cap}<ruby>人<rt>にん</rt></ruby>です（のこり {left}<ruby>人<rt>にん</rt></ruby>）。"));
        }
        if (Rules.Mode == IntakeMode.Lottery)
        {
            lines.Add(new("申込者が多い場合は、締切の後に抽選します。結果はメールでお知らせします。",
                "If there are more applicants than places, a lottery is drawn after the deadline. You will be told the result by e-mail.",
                "<ruby>人<rt>ひと</rt></ruby>が <ruby>多<rt>おお</rt></ruby>い ときは、しめきりの あとで くじを します。<ruby>結果<rt>けっか</rt></ruby>は メールで <ruby>知<rt>し</rt></ruby>らせます。"));
        }
        if (Rules.PerPerson?.Max is int max)
        {
            lines.Add(new($"申請はお一人 {N(max)} 回までです（紙の申請書での申し込みを含みます）。",
                $"Each person may apply at most {N(max)} time{(max == 1 ? "" : "s")}, online and on paper together.",
                $"1<ruby>人<rt>ひとり</rt></ruby> {N(max)}<ruby>回<rt>かい</rt></ruby>までです。<ruby>紙<rt>かみ</rt></ruby>で <ruby>申<rt>もう</rt></ruby>し<ruby>込<rt>こ</rt></ruby>んだ ときも おなじです。"));
        }
        return lines;
    }

    private static string N(int n) => n.ToString("N0", CultureInfo.InvariantCulture);
}
