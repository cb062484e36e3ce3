// Infix text to Expr by operator precedence with explicit operand and operator stacks: no
// recursion, so 100 000 nested parentheses parse. Precedence, lowest first:
//   comparisons (< <= > >=, not chained) | + - | * / | unary - + | ^ and ** (right-associative)
// so -x^2 is -(x^2) and x^-2 is x^(-2). Decimal literals (2.0, 1e-3) are floats, integers exact;
// only ASCII digits are digits. The names inf and nan read back what the printer writes for those floats.
// A chain a + b + c is collected and canonicalized once, so long sums parse in linear-log time.
using System.Globalization;

namespace Hybrid.Symbolic;

internal sealed class Parser
{
    private enum TokenKind { Number, Name, Operator, Open, Close, Comma, End }
    private readonly record struct Token(TokenKind Kind, string Text, int Column);

    private sealed class Operand(Expr value)
    {
        private Expr? value = value;
        private List<Expr>? terms, factors;
        // Two factors (3*x, x^2*y: the common case) take Build's two-operand fast path, which allocates little.
        public Expr Value => value ??= terms is not null ? (terms.Count == 2 ? Build.Add(terms[0], terms[1]) : Build.Add(terms))
            : factors!.Count == 2 ? Build.Multiply(factors[0], factors[1]) : Build.Multiply(factors);
        public void AddTerm(Expr term) { if (terms is null) { terms = [Value]; factors = null; } terms.Add(term); value = null; }
        public void AddFactor(Expr factor) { if (factors is null) { factors = [Value]; terms = null; } factors.Add(factor); value = null; }

        // -u is the factor -1 of the product u starts: in -(x + y)/(2*y) the sign belongs to the whole
        // product, which is canonicalized once; negating (x + y) alone would distribute it first.
        public static Operand Negated(Operand operand) => new(Build.MinusOne) { factors = [Build.MinusOne, operand.Value], value = null };
    }

    // An operator on the stack: a binary or prefix operator, an open parenthesis, or a pending call.
    private sealed record Pending(string Text, int Column, int Precedence, bool Prefix = false, string? Function = null)
    {
        public int Arguments { get; set; }
        public int OperandsBelow { get; init; }
    }

    private const int ComparisonLevel = 1, SumLevel = 2, ProductLevel = 3, UnaryLevel = 4, PowerLevel = 5;

    private readonly string text;
    private int position;
    private readonly Stack<Operand> operands = new();
    private readonly Stack<Pending> operators = new();

    private Parser(string text) => this.text = text;

    public static Expr Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parser = new Parser(text);
        try { return parser.Run(); }
        catch (LimitExceededException e)
        {
            // Exact arithmetic past Limits.MaxBits while folding numbers: reported where the parser stood.
            throw parser.Error(e.Message.TrimEnd('.'), Math.Min(parser.position, text.Length) + 1);
        }
    }

    private ParseException Error(string reason, int column) => new(reason, text, column);

    private Expr Run()
    {
        bool expectOperand = true;
        while (true)
        {
            var token = Next();
            if (expectOperand)
            {
                switch (token.Kind)
                {
                    case TokenKind.Number:
                        operands.Push(new(ParseNumber(token)));
                        expectOperand = false;
                        break;
                    case TokenKind.Name when NextCharIs('('):
                        Next();
                        operators.Push(new("(", token.Column, 0, Function: token.Text) { OperandsBelow = operands.Count });
                        if (NextCharIs(')')) { Next(); FinishCall(operators.Pop(), token.Column); expectOperand = false; }
                        break;
                    case TokenKind.Name:
                        operands.Push(new(NameValue(token)));
                        expectOperand = false;
                        break;
                    case TokenKind.Open:
                        operators.Push(new("(", token.Column, 0));
                        break;
                    case TokenKind.Operator when token.Text is "-" or "+":
                        operators.Push(new(token.Text, token.Column, UnaryLevel, Prefix: true));
                        break;
                    case TokenKind.End:
                        throw Error(text.Trim().Length == 0 ? "empty input" : "unexpected end of input: an operand is missing", token.Column);
                    default:
                        throw Error($"unexpected '{token.Text}': expected a number, a name or '('", token.Column);
                }
                continue;
            }
            switch (token.Kind)
            {
                case TokenKind.Operator:
                    PushBinary(token);
                    expectOperand = true;
                    break;
                case TokenKind.Comma:
                    ReduceToOpen(token);
                    var call = operators.Peek();
                    if (call.Function is null) throw Error("',' outside a function call", token.Column);
                    call.Arguments++;
                    expectOperand = true;
                    break;
                case TokenKind.Close:
                    ReduceToOpen(token);
                    var open = operators.Pop();
                    if (open.Function is not null) { open.Arguments++; FinishCall(open, open.Column); }
                    break;
                case TokenKind.End:
                    while (operators.Count > 0)
                    {
                        var top = operators.Peek();
                        if (top.Text == "(") throw Error(top.Function is null ? "unbalanced '(': no matching ')'" : $"unbalanced '(' of {top.Function}(: no matching ')'", top.Column);
                        Apply(operators.Pop());
                    }
                    return operands.Pop().Value;
                default:
                    throw Error($"unexpected '{token.Text}': expected an operator, ')' or the end", token.Column);
            }
        }
    }

    private void PushBinary(Token token)
    {
        var (level, rightAssociative) = token.Text switch
        {
            "<" or "<=" or ">" or ">=" => (ComparisonLevel, false),
            "+" or "-" => (SumLevel, false),
            "*" or "/" => (ProductLevel, false),
            _ => (PowerLevel, true),
        };
        while (operators.Count > 0 && operators.Peek() is { Text: not "(" } top
               && (top.Precedence > level || top.Precedence == level && !rightAssociative))
        {
            if (level == ComparisonLevel && top.Precedence == ComparisonLevel)
                throw Error($"comparisons cannot be chained: '{top.Text}' then '{token.Text}'", token.Column);
            Apply(operators.Pop());
        }
        operators.Push(new(token.Text, token.Column, level));
    }

    private void ReduceToOpen(Token token)
    {
        while (operators.Count > 0 && operators.Peek().Text != "(") Apply(operators.Pop());
        if (operators.Count == 0) throw Error(token.Kind == TokenKind.Close ? "unbalanced ')': no matching '('" : "',' outside a function call", token.Column);
    }

    private void Apply(Pending op)
    {
        if (op.Prefix)
        {
            var operand = operands.Pop();
            operands.Push(op.Text == "-" ? Operand.Negated(operand) : operand);
            return;
        }
        var right = operands.Pop().Value;
        var left = operands.Peek();
        switch (op.Text)
        {
            case "+": left.AddTerm(right); return;
            case "-": left.AddTerm(Build.Multiply(Build.MinusOne, right)); return;
            case "*": left.AddFactor(right); return;
            case "/": left.AddFactor(Build.Pow(right, Build.MinusOne)); return;
        }
        operands.Pop();
        operands.Push(new(op.Text switch
        {
            "^" or "**" => Build.Pow(left.Value, right),
            "<" => Primitives.Less.Apply(left.Value, right),
            "<=" => Primitives.LessOrEqual.Apply(left.Value, right),
            ">" => Primitives.Greater.Apply(left.Value, right),
            _ => Primitives.GreaterOrEqual.Apply(left.Value, right),
        }));
    }

    private void FinishCall(Pending call, int column)
    {
        var name = call.Function!;
        var args = new Expr[operands.Count - call.OperandsBelow];
        for (int i = args.Length - 1; i >= 0; i--) args[i] = operands.Pop().Value;
        // sqrt(x), ln(x) and log(x, b) are spellings, not rows (SymPy reads ln and log(x, b) too).
        if (Expr.Alias(name, args) is { } spelled)
        {
            operands.Push(new(spelled));
            return;
        }
        if (name is "sqrt" or "ln") throw Error($"{name} takes 1 argument (x), not {args.Length}", column);
        if (name == "log" && args.Length != 1) throw Error($"log takes 1 argument (x) or 2 (x, base), not {args.Length}", column);
        var primitive = Primitives.Find(name)
            ?? throw Error($"unknown function '{name}'.{Spelling.DidYouMean(name, Expr.FunctionNames)}".TrimEnd('.'), column);
        if (args.Length != primitive.Arity)
            throw Error($"{name} takes {primitive.Arity} argument{(primitive.Arity == 1 ? "" : "s")} ({string.Join(", ", primitive.Parameters)}), not {args.Length}", column);
        operands.Push(new(primitive.Apply(args)));
    }

    // A name seen before is the same symbol (one lookup); a new one is checked against the reserved names once.
    private Expr NameValue(Token token) => symbols.TryGetValue(token.Text, out var known) ? known : NewName(token);

    private Expr NewName(Token token) => token.Text switch
    {
        "pi" => Expr.Pi,
        "e" => Expr.E,
        "inf" => Build.Float(double.PositiveInfinity),   // what the printer writes for the float infinity
        "nan" => Build.NaN,                               // and for an undefined value (0/0, 1/0)
        "sqrt" or "ln" => throw Error($"'{token.Text}' is a function: call it as {token.Text}(...)", token.Column),
        var name when Primitives.Find(name) is not null => throw Error($"'{name}' is a function: call it as {name}(...)", token.Column),
        var name => symbols[name] = new Symbol(name),
    };

    // One node per name within a text: a million mentions of x share one symbol (less memory, and equal
    // bases are the same reference, which canonical sorting and merging test first).
    private readonly Dictionary<string, Expr> symbols = new(StringComparer.Ordinal);

    private Expr ParseNumber(Token token)
    {
        bool isFloat = token.Text.IndexOfAny(['.', 'e', 'E']) >= 0;
        if (!isFloat)
        {
            int digits = token.Text.AsSpan().TrimStart('0').Length;
            if (digits > Limits.MaxLiteralDigits)
                throw Error($"the integer literal has {digits} digits, more than the limit of {Limits.MaxLiteralDigits} (Limits.MaxLiteralDigits, {Limits.MaxBits} bits); write it as a power such as 10^20000, or as a float", token.Column);
            return Build.Number(System.Numerics.BigInteger.Parse(token.Text, CultureInfo.InvariantCulture));
        }
        if (!double.TryParse(token.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            throw Error($"the number '{token.Text}' is not a finite double", token.Column);
        return Build.Float(value);
    }

    // Whether the next token is the one-character token c: a look at the text, without making a token (a
    // name followed by '(' is a call; asked once per name, so it must not allocate).
    private bool NextCharIs(char c)
    {
        int at = position;
        while (at < text.Length && char.IsWhiteSpace(text[at])) at++;
        return at < text.Length && text[at] == c;
    }

    private Token Next()
    {
        while (position < text.Length && char.IsWhiteSpace(text[position])) position++;
        int start = position;
        int column = start + 1;
        if (position >= text.Length) return new(TokenKind.End, "end of input", column);
        char c = text[position];
        if (char.IsAsciiDigit(c) || c == '.' && position + 1 < text.Length && char.IsAsciiDigit(text[position + 1]))
        {
            while (position < text.Length && char.IsAsciiDigit(text[position])) position++;
            if (position < text.Length && text[position] == '.') { position++; while (position < text.Length && char.IsAsciiDigit(text[position])) position++; }
            if (position < text.Length && text[position] is 'e' or 'E')
            {
                int mark = position++;
                if (position < text.Length && text[position] is '+' or '-') position++;
                if (position < text.Length && char.IsAsciiDigit(text[position])) { while (position < text.Length && char.IsAsciiDigit(text[position])) position++; }
                else position = mark;   // "2e" is 2 followed by the name e: leave the 'e' for the next token
            }
            return new(TokenKind.Number, text[start..position], column);
        }
        if (char.IsLetter(c) || c == '_')
        {
            while (position < text.Length && (char.IsLetterOrDigit(text[position]) || text[position] == '_')) position++;
            return new(TokenKind.Name, text[start..position], column);
        }
        position++;
        switch (c)
        {
            case '(': return new(TokenKind.Open, "(", column);
            case ')': return new(TokenKind.Close, ")", column);
            case ',': return new(TokenKind.Comma, ",", column);
            case '+' or '-' or '/' or '^': return new(TokenKind.Operator, c.ToString(), column);
            case '*':
                if (position < text.Length && text[position] == '*') { position++; return new(TokenKind.Operator, "**", column); }
                return new(TokenKind.Operator, "*", column);
            case '<' or '>':
                if (position < text.Length && text[position] == '=') { position++; return new(TokenKind.Operator, c + "=", column); }
                return new(TokenKind.Operator, c.ToString(), column);
            default:
                throw Error($"unexpected character '{c}'", column);
        }
    }
}
