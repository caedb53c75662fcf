// Placeholder: ArticleIngest is built in its own change.
