package interop_test

// The routers the README's snippets are compiled against
// (TestEveryGoSnippetInTheREADMECompiles): imported here so that the
// module requires them.
import (
	_ "github.com/gin-gonic/gin"
	_ "github.com/go-chi/chi/v5"
	_ "github.com/labstack/echo/v4"
)
