using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Html;

namespace Madoguchi.Web.Features.Cases;

/// <summary>
/// The ledger table's rows, written straight to the response one line per row. Through the Razor
/// template the rows carried their template's indentation (a third of a 70 KB page) and went into the
/// view buffer as about 1,500 separate pieces. Every value is HTML-encoded; the markup is the
/// template's (tests and the browser rely on <c>&lt;tr data-case="…"&gt;</c>).
/// </summary>
public sealed class LedgerRowsHtml(IReadOnlyList<LedgerModel.Row> rows, IReadOnlyList<LedgerColumn> columns) : IHtmlContent
{
    public void WriteTo(TextWriter writer, HtmlEncoder encoder)
    {
        Span<char> id = stackalloc char[36];
        foreach (var r in rows)
        {
            r.Case.Id.TryFormat(id, out _, "D");
            writer.Write("\n<tr data-case=\"");
            writer.Write(id);
            writer.Write("\"><td><input type=\"checkbox\" name=\"Input.Ids\" value=\"");
            writer.Write(id);
            writer.Write("\" id=\"sel-");
            writer.Write(id);
            writer.Write("\"><label for=\"sel-");
            writer.Write(id);
            writer.Write("\" class=\"visually-hidden\">受付番号 ");
            encoder.Encode(writer, r.Case.ReceiptNumber);
            // The revision the row was read at: a bulk action leaves the case alone if someone changed it since.
            writer.Write(" を選択</label><input type=\"hidden\" name=\"Input.Revisions[");
            writer.Write(id);
            writer.Write("]\" value=\"");
            writer.Write(r.Case.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture));
            writer.Write("\"></td>");
            for (var i = 0; i < columns.Count; i++)
            {
                var source = columns[i].Source;
                if (source == LedgerLayout.Receipt)
                {
                    writer.Write("<td><a href=\"/staff/cases/");
                    writer.Write(id);
                    writer.Write("\">");
                    encoder.Encode(writer, r.Case.ReceiptNumber);
                    writer.Write(r.Unread ? "</a> <strong class=\"dads-tag\" data-testid=\"unread\">未読</strong></td>" : "</a></td>");
                }
                else if (source == LedgerLayout.Due && r.Overdue)
                {
                    writer.Write("<td><strong class=\"ledger-overdue\">");
                    encoder.Encode(writer, r.Cells[i]);
                    writer.Write("</strong></td>");
                }
                else
                {
                    writer.Write("<td>");
                    encoder.Encode(writer, r.Cells[i]);
                    writer.Write("</td>");
                }
            }
            writer.Write("</tr>");
        }
    }
}
