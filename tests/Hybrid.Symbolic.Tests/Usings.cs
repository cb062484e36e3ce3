global using Xunit;
global using Hybrid.Tapes;
